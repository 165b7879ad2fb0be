"""The benchmark databases: one SQLite file per scale under bench/data/, built once and reused.

``python -m bench.generate --scale city`` (or ``python -m bench.database``) builds
``bench/data/city.sqlite3`` unless it exists with a marker ``bench/data/city.json`` that
matches the scale, the seed, the generator and the migrations: it migrates a fresh file (the
SDG vocabulary comes from a migration), generates the data, and writes the marker last.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.environment import BENCH_DIR, DATA_DIR, PROJECT_DIR, configure, database_path, marker_path
from bench.generate import DEFAULT_SEED, GENERATOR_VERSION, SCALES, generate

GENERATOR_FILES = ("generate.py", "actors_data.py", "content.py", "states.py")


def fingerprint() -> str:
    """Changes when the generator changes: a cached database is then rebuilt from scratch."""
    digest = hashlib.sha256(str(GENERATOR_VERSION).encode())
    for path in (BENCH_DIR / name for name in GENERATOR_FILES):
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def migration_hashes() -> dict[str, str]:
    """Every migration file of the project with a hash of its content."""
    migrations = sorted((PROJECT_DIR / "reallabor").glob("*/migrations/*.py"))
    return {
        str(path.relative_to(PROJECT_DIR)): hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in migrations
    }


def expected_marker(scale: str, seed: int) -> dict[str, Any]:
    return {
        "scale": scale,
        "counts": asdict(SCALES[scale]),
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "fingerprint": fingerprint(),
    }


def cached_marker(scale: str, seed: int) -> dict[str, Any] | None:
    """The stored marker of ``scale`` when its database can be reused, else None.

    A database stays usable when the generator is unchanged and every migration it was built or
    last migrated with is unchanged: new migrations are then applied to it, as in a running
    installation (``migrate_forward``). A changed or removed migration means a rebuild.
    """
    if not database_path(scale).exists() or not marker_path(scale).exists():
        return None
    try:
        marker = json.loads(marker_path(scale).read_text())
    except (OSError, ValueError):
        return None
    expected = expected_marker(scale, seed)
    if any(marker.get(key) != value for key, value in expected.items()):
        return None
    applied = marker.get("migrations")
    current = migration_hashes()
    if not isinstance(applied, dict) or any(current.get(name) != digest for name, digest in applied.items()):
        return None
    return marker


def migrate_forward(scale: str, marker: dict[str, Any]) -> dict[str, Any]:
    """Apply the migrations added since ``marker`` to the cached database. Runs in its own process."""
    current = migration_hashes()
    added = sorted(set(current) - set(marker["migrations"]))
    if not added:
        return marker
    configure(database_path(scale))

    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    marker = {
        **marker,
        "migrations": current,
        "migrated_forward": [*marker.get("migrated_forward", []), *added],
        "migrate_forward_seconds": round(time.perf_counter() - started, 2),
        "bytes": database_path(scale).stat().st_size,
    }
    marker_path(scale).write_text(json.dumps(marker, indent=2) + "\n")
    return marker


def build(scale: str, seed: int) -> dict[str, Any]:
    """Migrate a fresh file, generate, and move it in place with its marker. Runs in its own process."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    final = database_path(scale)
    temporary = final.with_name(final.name + ".tmp")
    for path in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm"), marker_path(scale)):
        path.unlink(missing_ok=True)
    configure(temporary)

    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    with connection.cursor() as cursor:
        # Only while generating: no journal, no fsync, a large cache. The file is thrown away on failure.
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")
    written = generate(SCALES[scale], seed)
    with connection.cursor() as cursor:
        # Statistics for the query planner, as `PRAGMA optimize` gathers them in a running installation.
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    finished = time.perf_counter()
    for path in (final, Path(f"{final}-wal"), Path(f"{final}-shm")):
        path.unlink(missing_ok=True)
    os.replace(temporary, final)
    marker = {
        **expected_marker(scale, seed),
        "migrations": migration_hashes(),
        "rows": written,
        "migrate_seconds": round(migrated - started, 2),
        "generate_seconds": round(finished - migrated, 2),
        "bytes": final.stat().st_size,
        "built_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    marker_path(scale).write_text(json.dumps(marker, indent=2) + "\n")
    return marker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.database", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--rebuild", action="store_true", help="ignore a cached database")
    args = parser.parse_args(argv)
    marker = None if args.rebuild else cached_marker(args.scale, args.seed)
    if marker is not None:
        marker = migrate_forward(args.scale, marker)
    result = {"cached": marker is not None, **(marker or build(args.scale, args.seed))}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
