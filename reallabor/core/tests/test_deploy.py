"""The production configuration passes Django's deployment checks, and the `reallabor` command works."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def clean_env(**values: str) -> dict[str, str]:
    """The current environment without any Reallabor or database setting, plus `values`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("REALLABOR_")
        # The test settings allow async-unsafe calls for Playwright; production must not.
        and name not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "reallabor.settings"
    env.update(values)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    alphabet = string.ascii_letters + string.digits + string.punctuation
    env = clean_env(
        REALLABOR_DEBUG="false",
        REALLABOR_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        REALLABOR_ALLOWED_HOSTS="reallabor.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
        REALLABOR_STATIC_ROOT=str(tmp_path),
    )

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output
    assert "System check identified no issues" in result.stdout


def test_production_refuses_the_development_secret_key() -> None:
    result = run(["manage.py", "check"], clean_env(REALLABOR_DEBUG="false"))

    assert result.returncode != 0
    assert "REALLABOR_SECRET_KEY" in result.stderr


def test_cli_help_lists_commands() -> None:
    result = run(["-m", "reallabor", "--help"], clean_env())

    assert result.returncode == 0, result.stderr
    commands = {
        line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ") and line.strip()
    }
    assert {"run", "serve", "worker", "load-demo-data"} <= commands
    assert "migrate" in result.stdout
