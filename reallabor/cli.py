"""The `reallabor` command: run, serve, worker, and every management command with hyphens.

reallabor run [--host 127.0.0.1] [--port 8000]   development server with demo data
reallabor serve                                  production web server (gunicorn)
reallabor worker [args]                          background task worker
reallabor load-demo-data, reallabor migrate, …   management commands
"""

import argparse
import os
import sys

PROG = "reallabor"

BUILTIN_COMMANDS = [
    ("run", "Development server: migrate, load demo data if the database is empty, runserver."),
    ("serve", "Production web server (gunicorn); REALLABOR_BIND, REALLABOR_WORKERS."),
    ("worker", "Background task worker (django-tasks-db's db_worker); arguments are passed on."),
]


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reallabor.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args in (["-h"], ["--help"], ["help"]):
        print_help()
        return 0
    command, rest = args[0], args[1:]
    if command == "run":
        return run(rest)
    if command == "serve":
        return serve(rest)
    if command == "worker":
        start_periodic_tasks()
        return django_command("db_worker", rest)
    return django_command(command.replace("-", "_"), rest)


def start_periodic_tasks() -> None:
    """Queue the periodic work the worker repeats by itself (events: reminders, offers)."""
    import django

    django.setup()
    try:
        from reallabor.events.tasks import ensure_tick

        ensure_tick()
    except Exception as error:  # not migrated yet: the worker still starts; see docs/operations.md
        print(
            f"{PROG} worker: the periodic events tick was not queued ({type(error).__name__})",
            file=sys.stderr,
        )


def django_command(name: str, args: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line([PROG, name, *args])
    return 0


def run(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} run",
        description=(
            "Start Django's development server (not for production: use `reallabor serve`). "
            "Migrates the database and loads the demo data when the database is empty first."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    parser.add_argument("--noreload", action="store_true", help="do not restart when code changes")
    options = parser.parse_args(args)

    import django
    from django.core.management import call_command

    django.setup()
    # The autoreloader starts this command again in a child process (RUN_MAIN=true): prepare only once.
    if os.environ.get("RUN_MAIN") != "true":
        call_command("migrate", interactive=False, verbosity=1)
        call_command("load_demo_data", "--if-empty")
    host = f"[{options.host}]" if ":" in options.host else options.host
    runserver_args = [f"{host}:{options.port}"]
    if options.noreload:
        runserver_args.append("--noreload")
    return django_command("runserver", runserver_args)


def serve(args: list[str]) -> int:
    from gunicorn.app.wsgiapp import run as gunicorn_run

    bind = os.environ.get("REALLABOR_BIND", "127.0.0.1:8000")
    workers = os.environ.get("REALLABOR_WORKERS") or str(2 * (os.cpu_count() or 1) + 1)
    # A PDF report of a lab with hundreds of measures takes longer than gunicorn's default 30 s.
    timeout = os.environ.get("REALLABOR_TIMEOUT") or "120"
    sys.argv = [
        f"{PROG} serve",
        "--bind",
        bind,
        "--workers",
        workers,
        "--timeout",
        timeout,
        *args,
        "reallabor.wsgi:application",
    ]
    gunicorn_run(prog=f"{PROG} serve")
    return 0


def project_commands() -> list[tuple[str, str]]:
    """The management commands of Reallabor's own apps, with hyphens, and their one-line help."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    commands = []
    for name, app in sorted(get_commands().items()):
        if not app.startswith("reallabor."):
            continue
        help_text = str(load_command_class(app, name).help).strip()
        commands.append((name.replace("_", "-"), help_text.splitlines()[0] if help_text else ""))
    return commands


def print_help() -> None:
    lines = [
        f"usage: {PROG} <command> [options]",
        "",
        "Reallabor: real-world labs for a city's economic development office.",
        "",
        "Commands:",
    ]
    lines += [f"  {name:<22}{text}" for name, text in BUILTIN_COMMANDS]
    try:
        own = project_commands()
    except Exception as error:  # settings that refuse to load must not hide the usage
        lines += ["", f"(Reallabor's own commands cannot be listed: {error})"]
    else:
        lines += ["", "Reallabor's management commands:"]
        lines += [f"  {name:<22}{text}" for name, text in own] or ["  (none yet)"]
    lines += [
        "",
        "All Django management commands work too (migrate, createsuperuser, collectstatic, check, …),",
        f"with hyphens or underscores. `{PROG} <command> --help` shows a command's options.",
    ]
    print("\n".join(lines))
