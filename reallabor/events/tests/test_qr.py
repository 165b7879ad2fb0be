"""QR codes: PNG and SVG of a registration's check-in link."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings

from reallabor.core.testing.events import make_event, register_person
from reallabor.events.links import check_in_url
from reallabor.events.qr import qr_png, qr_svg


def test_png_is_a_png_of_sensible_size() -> None:
    data = qr_png("https://reallabor.example/veranstaltungen/x-2026-01-01/einlass/?code=abc")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width == height
    assert 100 <= width <= 600


def test_svg_is_inline_svg() -> None:
    svg = qr_svg("ABC123", title="Check-in")
    assert not svg.startswith("<?xml")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # loads nothing


def test_same_text_same_code_and_different_text_differs() -> None:
    assert qr_png("a") == qr_png("a")
    assert qr_png("a") != qr_png("b")


@pytest.mark.django_db
@override_settings(BASE_URL="https://reallabor.example")
def test_check_in_url_of_registration() -> None:
    event = make_event()
    registration = register_person(event)
    assert check_in_url(registration) == (
        f"https://reallabor.example/veranstaltungen/{event.slug}/einlass/?code={registration.uuid}"
    )
