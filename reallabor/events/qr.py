"""QR codes (segno) for check-in: ``qr_svg`` for pages (inline SVG, nothing loaded from
elsewhere, allowed by the CSP) and ``qr_png`` for e-mails (mail programs show PNG, not SVG).

The confirmation mail's code encodes the registration's check-in URL
(``links.check_in_url``: ``/veranstaltungen/<slug>/einlass/?code=<uuid>``, absolute); the
check-in page accepts that URL, the uuid alone or the 6-character code.
"""

from __future__ import annotations

import io

import segno

ERROR_LEVEL = "m"  # 15 % may be damaged: a phone's camera on a cracked screen still reads it
MASK = 0  # a fixed mask: choosing the best of eight costs two thirds of the time (thousands of mails)


def qr_svg(text: str, *, scale: int = 4, title: str = "") -> str:
    """An inline SVG (no XML declaration) of the QR code of ``text``."""
    buffer = io.BytesIO()
    segno.make(text, error=ERROR_LEVEL).save(
        buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title=title or None
    )
    return buffer.getvalue().decode("utf-8")


def qr_png(text: str, *, scale: int = 6) -> bytes:
    """A PNG of the QR code of ``text`` (black on white, quiet zone of four modules)."""
    buffer = io.BytesIO()
    segno.make(text, error=ERROR_LEVEL, mask=MASK).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
