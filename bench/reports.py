"""Time the reports and the blueprint import: ``python -m bench.reports``.

Runs in its own process against a fresh SQLite file (``bench/data/reports.sqlite3``, rebuilt on
every run: migrations, the Bottrop demo, then one generated lab of 200 measures). Times, each as
the median of several runs, the whole path a download takes except HTTP: loading the report from
the database (``build_report``) and rendering it (``formats.render``). Then the blueprint of the
200-measure lab: its export, and its import under a new short name (each import a new lab, in
its own transaction, as the CLI does it). Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.environment import DATA_DIR, configure

BIG_LAB_MEASURES = 200
FORMATS = ("html", "pdf", "md", "docx")
# (scope, format) -> target in seconds, from the issue; None: measured, no target.
TARGETS: dict[tuple[str, str], float | None] = {
    ("bottrop", "pdf"): 2.0,
    ("lab200", "pdf"): 10.0,
    ("lab200", "md"): 1.0,
    ("lab200", "docx"): 1.0,
    ("lab200", "import"): 3.0,
}


def _time(function: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    samples: list[float] = []
    result: Any = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - started)
    return samples, result


def _row(scope: str, what: str, samples: list[float], size: int | None, note: str = "") -> dict[str, Any]:
    return {
        "scope": scope,
        "what": what,
        "runs": len(samples),
        "median_s": statistics.median(samples),
        "max_s": max(samples),
        "bytes": size,
        "target_s": TARGETS.get((scope, what)),
        "note": note,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    args = parser.parse_args(argv)
    database = DATA_DIR / "reports.sqlite3"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)
    configure(database)

    from django.core.management import call_command
    from django.utils import translation

    from bench.generate import Counts, generate
    from reallabor.core.demo import bottrop
    from reallabor.labs.models import Lab
    from reallabor.labs.services import export_blueprint, import_blueprint
    from reallabor.reports.formats import render
    from reallabor.reports.selectors import build_report

    translation.activate("de")
    call_command("migrate", verbosity=0, interactive=False)
    bottrop.load()
    rows: list[dict[str, Any]] = []

    def report_rows(scope: str, lab_slug: str | None, internal: bool, repeat: int) -> int:
        measures = 0
        for fmt in FORMATS:

            def run(fmt: str = fmt) -> bytes:
                return render(build_report(None, lab_slug=lab_slug, internal=internal), fmt)

            run()  # warm-up: imports, templates, fonts
            runs = 3 if fmt == "pdf" and scope != "bottrop" else repeat
            samples, output = _time(run, runs)
            rows.append(_row(scope, fmt, samples, len(output)))
        report = build_report(None, lab_slug=lab_slug, internal=internal)
        measures = len(report.measures)
        samples, _report = _time(lambda: build_report(None, lab_slug=lab_slug, internal=internal), repeat)
        rows.append(_row(scope, "load", samples, None, "build_report only (database → plain data)"))
        return measures

    bottrop_measures = report_rows("bottrop", None, False, args.repeat)

    existing = set(Lab.objects.values_list("pk", flat=True))
    generate(Counts(labs=1, measures=BIG_LAB_MEASURES, organisations=400, members=2))
    big_lab = Lab.objects.exclude(pk__in=existing).get()
    big_measures = report_rows("lab200", big_lab.slug, True, args.repeat)

    samples, blueprint = _time(lambda: export_blueprint(user=None, lab=big_lab), args.repeat)
    size = len(json.dumps(blueprint, ensure_ascii=False).encode())
    rows.append(_row("lab200", "export", samples, size))
    imports = iter(range(1, 1000))

    def import_once() -> Any:
        return import_blueprint(user=None, data=blueprint, slug=f"kopie-{next(imports)}")

    samples, _result = _time(import_once, args.repeat)
    rows.append(_row("lab200", "import", samples, size, "validation + one transaction, a new lab per run"))
    print(
        json.dumps(
            {
                "bottrop_measures": bottrop_measures,
                "big_lab_measures": big_measures,
                "rows": rows,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
