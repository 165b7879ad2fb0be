"""The result's radar chart: the six dimensions 0–100 as a self-contained SVG (pygal, no script).

The same SVG serves the result page and the PDF; the house's folding of pygal's CSS into
presentation attributes (``reallabor.reports.charts``) makes it safe under the strict CSP. The page
shows a table with the same numbers next to it (the chart is ``role="img"`` with a title).
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from django.utils.translation import gettext as _

from reallabor.reports.charts import _self_contained, _style

WIDTH = 520
HEIGHT = 440


def radar_svg(labels: Sequence[str], scores: Sequence[float], *, element_id: str = "check-radar") -> str:
    """A radar chart of ``scores`` (0–100), one axis per label, in the given order."""
    style = _style()
    style.stroke_width = "3"
    style.opacity = ".35"
    chart = pygal.Radar(
        style=style,
        width=WIDTH,
        height=HEIGHT,
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        fill=True,
        range=(0, 100),
        show_dots=True,
        dots_size=4,
        truncate_label=-1,
        margin=8,
        y_labels=[0, 25, 50, 75, 100],
    )
    chart.x_labels = [str(label) for label in labels]
    chart.add(_("Score"), [float(score) for score in scores])
    return _self_contained(
        chart.render_tree(), title=_("Your score per dimension (0–100)"), element_id=element_id
    )
