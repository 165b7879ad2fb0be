"""The OpenAPI schema (3.1, committed copy without drift) and the interactive docs served locally."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from reallabor.api.tests.conftest import API, api_client
from reallabor.core.management.commands.export_openapi import DEFAULT_OUTPUT, openapi_json

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_1_and_describes_both_authentications() -> None:
    response = api_client().get(f"{API}/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["TokenAuth"]["description"],
    }
    assert schema["components"]["securitySchemes"]["SessionAuth"]["in"] == "cookie"
    assert schema["components"]["securitySchemes"]["SessionAuth"]["name"] == settings.SESSION_COOKIE_NAME
    labs = schema["paths"][f"{API}/labs"]
    assert {} in labs["get"]["security"], "reading works without credentials"
    assert {} not in labs["post"]["security"]


def test_committed_schema_is_up_to_date() -> None:
    """docs/api/openapi.json is what `make openapi` writes; regenerate it after changing the API."""
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == openapi_json(), (
        "docs/api/openapi.json is out of date: run make openapi"
    )
    call_command("export_openapi", "--check")


def test_check_fails_with_a_clear_message_when_the_file_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "openapi.json"
    call_command("export_openapi", "--output", str(output))
    assert output.read_text(encoding="utf-8").endswith("}\n")
    call_command("export_openapi", "--check", "--output", str(output))

    output.write_text(
        output.read_text(encoding="utf-8").replace("Reallabor API", "Other API"), encoding="utf-8"
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("export_openapi", "--check", "--output", str(output))

    assert exit_info.value.code == 1
    assert "is out of date: run make openapi" in capsys.readouterr().err


def test_docs_are_served_locally_under_the_csp() -> None:
    response = api_client().get(f"{API}/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert '<script src="/static/ninja/swagger-ui-init.js"></script>' in html
    assert 'href="/static/ninja/swagger-ui.css"' in html
    assert not re.search(r"https?://", html), "no CDN or other foreign origin"
    # Every script is a file of our own origin or inert JSON data (the CSP allows no inline script).
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_swagger_files_exist_in_the_static_files() -> None:
    from django.contrib.staticfiles import finders

    for name in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert finders.find(f"ninja/{name}"), name
