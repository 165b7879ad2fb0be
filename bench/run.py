"""``python -m bench [--scales city,nation] [--repeat N] [--rebuild] [--parts pages,reports,actors,events,assessment,offers]``: generate, measure, print one table.

For each scale, in its own processes: ``bench.database`` builds the database (or reuses the
cached one), ``bench.measure`` times the pages against it and ``bench.actors`` the actors' pages
and operations (segment counts, import, duplicate detection, mailing) on a copy of it, ``bench.events``
the events (registration, event pages, mails; city scale), ``bench.assessment`` the digital-maturity
check and ``bench.offers`` the matching of offers (no database). The parent collects their JSON and
prints one table: status, query count, size, median and 95th percentile of the server-side time,
and the ratio to the bare-Django floor measured in the same process, against the targets
(city ≤ 3× floor, nation ≤ 5× floor). Missed targets are listed, but the exit status stays 0:
this is a measurement. It is 1 only when the benchmark itself could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from typing import Any

from bench.environment import PROJECT_DIR
from bench.generate import SCALES

TARGETS = {"city": 3.0, "nation": 5.0}
HEADERS = ["scale", "user", "page", "status", "queries", "KB", "median ms", "p95 ms", "× floor", "CPU × floor", "target", "ok", "cold ms", "cold × floor"]  # fmt: skip
PAGE_LABELS = {
    "floor": "floor (1 query)",
    "overview": "portfolio overview",
    "lab": "lab page",
    "measure": "measure page",
    "filtered": "filtered list",
    "api": "API list",
    "organisations": "organisation list",
    "organisation search": "organisation search",
    "organisations filtered": "organisations filtered",
    "people": "people list",
    "people search": "people search",
    "segment": "segment page",
    "segments": "segment list (live counts)",
    "interactions": "interaction list",
    "follow-ups": "my follow-ups",
}


def _run_json(arguments: list[str]) -> dict[str, Any]:
    """Run ``python -m <arguments>`` and return the JSON of its last stdout line (stderr passes through)."""
    completed = subprocess.run(  # noqa: S603 - our own modules with our own arguments
        [sys.executable, "-m", *arguments], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True, check=False
    )
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"`python -m {' '.join(arguments)}` failed with exit status {completed.returncode}"
        )
    return json.loads(lines[-1])


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _kb(value: int | None) -> str:
    return "–" if value is None else f"{value / 1024:.1f}"


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"  # fmt: skip

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|"  # fmt: skip
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def evaluate(results: dict[str, dict[str, Any]]) -> tuple[list[list[str]], list[str]]:
    """The table rows and the list of misses."""
    rows: list[list[str]] = []
    misses: list[str] = []
    for scale, result in results.items():
        target = TARGETS.get(scale, 5.0)
        floors = {m["user"]: m for m in result["measurements"] if m["page"] == "floor"}
        for m in result["measurements"]:
            floor = floors.get(m["user"], {})
            ratio = cpu_ratio = None
            if m.get("median_ms") is not None and floor.get("median_ms"):
                ratio = m["median_ms"] / floor["median_ms"]
            if m.get("cpu_median_ms") is not None and floor.get("cpu_median_ms"):
                cpu_ratio = m["cpu_median_ms"] / floor["cpu_median_ms"]
            name = f"{scale} {m['user']} {m['page']}"
            if m["page"] == "floor":
                ok, target_text = "", "–"
            elif m["path"] is None:
                ok, target_text = "n/a", f"≤ {target:g}×"
                misses.append(f"{name}: not measured ({m['note']})")
            elif m["error"]:
                ok, target_text = "ERROR", f"≤ {target:g}×"
                misses.append(f"{name}: {m['error']}")
            elif m["status"] != 200:
                ok, target_text = f"HTTP {m['status']}", f"≤ {target:g}×"
                misses.append(f"{name}: status {m['status']}, expected 200 ({m['path']})")
            elif ratio is not None and ratio <= target:
                ok, target_text = "yes", f"≤ {target:g}×"
            else:
                ok, target_text = "MISS", f"≤ {target:g}×"
                times = "no floor to compare with" if ratio is None else f"{ratio:.1f}× floor"
                misses.append(f"{name}: {times} (target ≤ {target:g}×), median {_ms(m.get('median_ms'))} ms")
            rows.append(
                [
                    scale,
                    m["user"],
                    PAGE_LABELS.get(m["page"], m["page"]),
                    "–" if m["status"] is None else str(m["status"]),
                    "–" if m["queries"] is None else str(m["queries"]),
                    _kb(m["bytes"]),
                    _ms(m.get("median_ms")),
                    _ms(m.get("p95_ms")),
                    "–" if ratio is None else f"{ratio:.2f}",
                    "–" if cpu_ratio is None else f"{cpu_ratio:.2f}",
                    target_text,
                    ok,
                    _ms(m.get("cold_median_ms")),
                    "–"
                    if m.get("cold_median_ms") is None or not floor.get("median_ms")
                    else f"{m['cold_median_ms'] / floor['median_ms']:.1f}",
                ]
            )
    return rows, misses


REPORT_HEADERS = ["scope", "what", "runs", "median s", "max s", "KB", "target", "ok"]
REPORT_SCOPES = {"bottrop": "Bottrop portfolio", "lab200": "lab of 200 measures"}


def evaluate_reports(result: dict[str, Any]) -> tuple[list[list[str]], list[str]]:
    rows: list[list[str]] = []
    misses: list[str] = []
    for row in result["rows"]:
        target = row["target_s"]
        ok = "" if target is None else "yes" if row["median_s"] <= target else "MISS"
        if ok == "MISS":
            misses.append(
                f"{REPORT_SCOPES[row['scope']]} {row['what']}: {row['median_s']:.2f} s (target ≤ {target:g} s)"
            )
        rows.append(
            [
                REPORT_SCOPES.get(row["scope"], row["scope"]),
                row["what"],
                str(row["runs"]),
                f"{row['median_s']:.3f}",
                f"{row['max_s']:.3f}",
                _kb(row["bytes"]),
                "–" if target is None else f"≤ {target:g} s",
                ok,
            ]
        )
    return rows, misses


ACTOR_HEADERS = ["scale", "what", "size", "runs", "median", "CPU", "max", "unit", "target", "ok"]


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return _ms(value)
    if unit == "s":
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    if unit == "lines":
        return f"{value:g}"
    return f"{value:.1f}"


def evaluate_actors(results: dict[str, dict[str, Any]]) -> tuple[list[list[str]], list[str], list[str]]:
    """The rows of the actors' operations, the misses, and the notes (one line each)."""
    rows: list[list[str]] = []
    misses: list[str] = []
    notes: list[str] = []
    for scale, result in results.items():
        for op in result["operations"]:
            unit, target = op["unit"], op["target"]
            target_text = "–" if target is None else f"{'≥' if op['higher'] else '≤'} {target:g} {unit}"
            ok = "ERROR" if op["error"] else "" if op["ok"] is None else "yes" if op["ok"] else "MISS"
            if op["error"]:
                misses.append(f"{scale} {op['what']}: {op['error']}")
            elif op["ok"] is False:
                misses.append(
                    f"{scale} {op['what']}: {_value(op['value'], unit)} {unit} (target {target_text})"
                )
            rows.append(
                [
                    scale,
                    op["what"],
                    op["size"],
                    str(op["runs"]),
                    _value(op["value"], unit),
                    _value(op.get("cpu"), unit),
                    _value(op["max"], unit),
                    unit,
                    target_text,
                    ok,
                ]
            )
            if op["note"]:
                notes.append(f"  {scale} {op['what']}: {op['note']}")
    return rows, misses, notes


def actor_data_lines(scale: str, result: dict[str, Any]) -> list[str]:
    rows = ", ".join(f"{value:,} {name}" for name, value in result["rows"].items())
    sizes = result["sizes"]
    return [
        f"{scale} actors: copied the database in {result['copy_seconds']:.1f} s; rows: {rows}",
        f"  pages as an administrator, {result['warmup']} warm-up and {result['repeat']} timed requests each; "
        f"import of {sizes['import_rows']:,} rows, {sizes['near_duplicates']} near-duplicates added, mailing to "
        f"≥ {sizes['recipients']:,} people with {sizes['delivery_sample']:,} delivered",
    ]


def query_count_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    """Per page and user: are the query counts equal at every scale?"""
    if len(results) < 2:
        return ["Query counts across scales: only one scale measured."]
    by_page: dict[tuple[str, str], dict[str, int | None]] = {}
    for scale, result in results.items():
        for m in result["measurements"]:
            by_page.setdefault((m["page"], m["user"]), {})[scale] = m["queries"]
    lines = []
    all_equal = True
    for (page, user), counts in by_page.items():
        values = list(counts.values())
        equal = None not in values and len(set(values)) == 1
        all_equal &= equal
        shown = " / ".join(f"{scale} {'–' if value is None else value}" for scale, value in counts.items())
        lines.append(f"  {'equal  ' if equal else 'DIFFER '} {PAGE_LABELS.get(page, page)} ({user}): {shown}")
    verdict = "equal at all scales for every page" if all_equal else "NOT equal for every page"
    return [f"Query counts: {verdict}", *lines]


def data_lines(scale: str, generation: dict[str, Any], result: dict[str, Any] | None) -> list[str]:
    how = "reused the cached database built" if generation["cached"] else "generated"
    lines = [
        f"{scale}: {how} in {generation['generate_seconds']:.1f} s "
        f"(+ {generation['migrate_seconds']:.1f} s migrations) on {generation['built_at']}, "
        f"{generation['bytes'] / 1048576:.0f} MB"
    ]
    if result is not None:
        rows = ", ".join(f"{value:,} {name}" for name, value in result["rows"].items())
        lines.append(f"  rows: {rows}")
        paths = {
            m["page"]: m["path"]
            for m in result["measurements"]
            if m["user"] == result["measurements"][0]["user"]
        }
        lines.append("  pages: " + ", ".join(f"{page} {path or 'n/a'}" for page, path in paths.items()))
        lines.append(f"  {result['warmup']} warm-up and {result['repeat']} timed requests per page and user")
    return lines


def _run_part(name: str, heading: str) -> list[str] | None:
    """Run ``bench.<name>`` (one result, no scales), print its table; its misses, or None if it failed."""
    try:
        print(f"{name}: measuring …", flush=True)
        result = _run_json([f"bench.{name}"])
    except RuntimeError as error:
        print(f"{name}: {error}", file=sys.stderr, flush=True)
        return None
    print(heading)
    rows, misses, notes = evaluate_actors({"–": result})
    print(_table(ACTOR_HEADERS, rows, right={3, 4, 5, 6, 8}))
    print("\n".join(notes))
    print()
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="city,nation", help=f"comma-separated, of {', '.join(SCALES)}")
    parser.add_argument("--repeat", type=int, help="timed requests per page (default: 50 city, 30 nation)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument("--users", default="anonymous,reader", help="kinds of user (anonymous,reader)")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the databases even if cached")
    parser.add_argument(
        "--parts",
        default="pages,reports,actors,events,assessment,offers",
        help="what to measure: pages, reports, actors, events, assessment, offers (default all; events at city scale)",
    )
    args = parser.parse_args(argv)
    scales = [scale.strip() for scale in args.scales.split(",") if scale.strip()]
    unknown = [scale for scale in scales if scale not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s): {', '.join(unknown)}; known: {', '.join(SCALES)}")

    import django

    print(
        f"Reallabor benchmark · Python {platform.python_version()} · Django {django.get_version()} · "
        f"SQLite {sqlite3.sqlite_version} · {os.cpu_count()} CPUs · DEBUG off · in-process test client",
        flush=True,
    )
    load_before = os.getloadavg()[0]
    generations: dict[str, dict[str, Any]] = {}
    results: dict[str, dict[str, Any]] = {}
    failed = False
    parts = {part.strip() for part in args.parts.split(",") if part.strip()}
    unknown_parts = sorted(parts - {"pages", "reports", "actors", "events", "assessment", "offers"})
    if unknown_parts:
        parser.error(
            f"unknown part(s): {', '.join(unknown_parts)}; known: pages, reports, actors, events, assessment, offers"
        )
    actor_results: dict[str, dict[str, Any]] = {}
    event_results: dict[str, dict[str, Any]] = {}
    for scale in scales if parts & {"pages", "actors", "events"} else []:
        try:
            print(f"{scale}: preparing the database …", flush=True)
            started = time.perf_counter()
            generations[scale] = _run_json(
                ["bench.database", "--scale", scale, *(["--rebuild"] if args.rebuild else [])]
            )
            if not generations[scale]["cached"]:
                print(f"{scale}: built in {time.perf_counter() - started:.1f} s", flush=True)
        except RuntimeError as error:
            print(f"{scale}: {error}", file=sys.stderr, flush=True)
            failed = True
            continue
        if "pages" in parts:
            try:
                print(f"{scale}: measuring …", flush=True)
                command = ["bench.measure", "--scale", scale, "--warmup", str(args.warmup), "--users", args.users]  # fmt: skip
                if args.repeat:
                    command += ["--repeat", str(args.repeat)]
                results[scale] = _run_json(command)
            except RuntimeError as error:
                print(f"{scale}: {error}", file=sys.stderr, flush=True)
                failed = True
        if "actors" in parts:
            try:
                print(f"{scale}: measuring the actors …", flush=True)
                command = ["bench.actors", "--scale", scale]
                if args.repeat:
                    command += ["--repeat", str(args.repeat)]
                actor_results[scale] = _run_json(command)
            except RuntimeError as error:
                print(f"{scale}: {error}", file=sys.stderr, flush=True)
                failed = True
        if "events" in parts and scale == "city":  # the events' sizes do not depend on the scale
            try:
                print(f"{scale}: measuring the events …", flush=True)
                event_results[scale] = _run_json(["bench.events", "--scale", scale])
            except RuntimeError as error:
                print(f"{scale}: {error}", file=sys.stderr, flush=True)
                failed = True

    print()
    load_after = os.getloadavg()[0]
    print(
        f"Machine load (1-minute average): {load_before:.1f} before, {load_after:.1f} after the run", end=""
    )
    busy = max(load_before, load_after) > (os.cpu_count() or 1)
    print(" – busy: absolute times are inflated, the ratios to the floor less so" if busy else "")
    for scale in scales:
        if scale in generations:
            print("\n".join(data_lines(scale, generations[scale], results.get(scale))))
    print()
    rows, misses = evaluate(results)
    if rows:
        print(_table(HEADERS, rows, right={3, 4, 5, 6, 7, 8, 9, 12, 13}))
        print(
            "× floor: median wall-clock time over the floor's, same user and process (the target applies);\n"
            "CPU × floor: the same with the process's CPU time, steadier when other work shares the machine;\n"
            "cold: the first request after a change of content (cache empty), median of 7 - the target "
            "applies to the steady state above, cold is shown so the cache hides nothing."
        )
    if results:
        print()
        print("\n".join(query_count_lines(results)))
        print()
    if "reports" in parts:
        try:
            print("reports: building the database and measuring …", flush=True)
            reports = _run_json(["bench.reports"])
        except RuntimeError as error:
            print(f"reports: {error}", file=sys.stderr, flush=True)
            failed = True
        else:
            report_rows, report_misses = evaluate_reports(reports)
            misses += report_misses
            print()
            print(
                f"Reports and blueprints: the Bottrop portfolio ({reports['bottrop_measures']} measures) and "
                f"one lab of {reports['big_lab_measures']} measures (internal report)"
            )
            print(_table(REPORT_HEADERS, report_rows, right={3, 4, 5, 6}))
            print(
                "Time: load from the database and render, in-process, median of the runs (the first, untimed "
                "run warms up imports and fonts).\nload: build_report alone; export: the blueprint as a dict; "
                "import: validate and write a new lab in one transaction."
            )
            print()
    if actor_results:
        print()
        print("Actors (issue 4): on a copy of each scale's database, the cached one stays unchanged")
        print(
            "\n".join(
                line for scale, result in actor_results.items() for line in actor_data_lines(scale, result)
            )
        )
        page_rows, page_misses = evaluate(actor_results)
        misses += page_misses
        if page_rows:
            print(_table(HEADERS, page_rows, right={3, 4, 5, 6, 7, 8, 9, 12, 13}))
            print("Server-side time of the pages as an administrator, next to the floor in the same process.")
            print()
            print("\n".join(query_count_lines(actor_results)))
        operation_rows, operation_misses, notes = evaluate_actors(actor_results)
        misses += operation_misses
        if operation_rows:
            print()
            print(_table(ACTOR_HEADERS, operation_rows, right={3, 4, 5, 6, 8}))
            print(
                "median: wall-clock (the target applies); CPU: the same from the process's CPU time, steadier "
                "when other work shares the machine (for a rate: mails per CPU second of the worker)."
            )
            print("\n".join(notes))
        print()
    if event_results:
        print("Events (issue 5): on a copy of the city database, the cached one stays unchanged")
        operation_rows, operation_misses, notes = evaluate_actors(event_results)
        misses += operation_misses
        print(_table(ACTOR_HEADERS, operation_rows, right={3, 4, 5, 6, 8}))
        print("\n".join(notes))
        print()
    parts_measured = []
    for name, heading in (
        (
            "assessment",
            "Digital-maturity check (issue 6), in-process, median of the runs: scoring (no database); "
            "the office's dashboard over 100,000 results on a copy of the city database",
        ),
        (
            "offers",
            "Matching offers (issue 6): no database, in-process; match: median over the businesses, batch: one run",
        ),
    ):
        if name in parts:
            part_misses = _run_part(name, heading)
            if part_misses is None:
                failed = True
            else:
                misses += part_misses
                parts_measured.append(name)
    if misses:
        print(f"Missed ({len(misses)}):")
        print("\n".join(f"  - {miss}" for miss in misses))
    elif results or actor_results or event_results or parts_measured:
        print("Every target was met.")
    return 1 if failed else 0
