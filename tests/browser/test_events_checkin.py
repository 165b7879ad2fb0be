"""Check-in at the door on a phone: typing the code, checking in, undoing, adding a walk-in; and
scanning the QR code with the camera (Chromium's fake camera showing the registration's QR code)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import ConsoleMessage, Page, Playwright, expect

from reallabor.core.testing.actors import make_person
from reallabor.core.testing.events import make_event, make_registration
from reallabor.events.links import check_in_url
from reallabor.events.models import Event, Registration
from reallabor.events.qr import qr_png
from tests.browser.conftest import CHROMIUM_ARGS, PHONE, TIMEOUT_MS, _chromium_path
from tests.browser.support import Site, either, sign_in

pytestmark = pytest.mark.browser

UNDO_ANNA = either("Check-in von Anna Schäfer zurücknehmen", "Undo the check-in of Anna Schäfer")
CHECK_IN_ANNA = either("Anna Schäfer einchecken", "Check in Anna Schäfer")
SEARCH_LABEL = either("Name, Organisation oder Code", "Name, organisation or code")
SCAN = either("QR-Code scannen", "Scan QR code", exact=True)


def todays_event(site: Site) -> tuple[Event, Registration]:
    """An event of the crafts lab that began ten minutes ago, with Anna Schäfer registered."""
    event = make_event(title="Handwerksfrühstück in der Schreinerei", lab=site.handwerk, capacity=20)
    starts = timezone.now() - dt.timedelta(minutes=10)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    event.refresh_from_db()
    anna = make_person(first_name="Anna", last_name="Schäfer", email="anna.schaefer@example.org")
    registration = make_registration(event, person=anna, organisation_name="Schreinerei Holzwurm")
    make_registration(
        event, person=make_person(first_name="Bodo", last_name="Berg", email="bodo@example.org")
    )
    return event, registration


def checkin_path(event: Event) -> str:
    return reverse("events:checkin", kwargs={"slug": event.slug})


def test_check_in_by_code_undo_and_a_walk_in_on_a_phone(new_page: object, site: Site) -> None:
    event, anna = todays_event(site)
    page: Page = new_page(role="coordinator", viewport=PHONE)  # type: ignore[operator]
    page.goto(checkin_path(event))
    counts = page.locator("#checkin-counts")
    expect(counts).to_have_text(re.compile(r"0\D+2"))

    # Typing the code shows Anna with one big button (htmx, no submit needed).
    page.get_by_label(SEARCH_LABEL).press_sequentially(anna.code.lower(), delay=30)
    results = page.locator("#checkin-results")
    expect(results.get_by_text("Anna Schäfer")).to_be_visible()
    expect(results.get_by_text("Bodo Berg")).to_have_count(0)
    button = results.get_by_role("button", name=CHECK_IN_ANNA)
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 300  # one thumb

    button.click()
    status = page.locator("#checkin-status")
    expect(status).to_have_text(re.compile(r"Anna Schäfer.*\d\d:\d\d"))
    expect(counts).to_have_text(re.compile(r"1\D+2"))
    anna.refresh_from_db()
    assert anna.checked_in_at is not None

    # A second scan of the same code says when.
    page.get_by_label(SEARCH_LABEL).fill("")
    page.get_by_label(SEARCH_LABEL).press_sequentially(anna.code, delay=30)
    expect(status).to_have_text(either("1 Person gefunden.", "1 person found."))  # the search answered
    expect(results.get_by_role("button", name=UNDO_ANNA)).to_be_visible()

    # Undo.
    results.get_by_role("button", name=UNDO_ANNA).click()
    expect(status).to_have_text(re.compile(r"Anna Schäfer"))
    expect(results.get_by_role("button", name=CHECK_IN_ANNA)).to_be_visible()
    expect(counts).to_have_text(re.compile(r"0\D+2"))
    anna.refresh_from_db()
    assert anna.checked_in_at is None

    # A walk-in.
    walk_in = page.locator("#checkin-walk-in")
    walk_in.get_by_label(either("Vorname", "First name")).fill("Wilma")
    walk_in.get_by_label(either("Nachname", "Last name")).fill("Spontan")
    walk_in.get_by_label(either("Organisation", exact=True)).fill("Malerbetrieb Farbe")
    walk_in.get_by_role("button", name=either("Hinzufügen und einchecken", "Add and check in")).click()
    expect(status).to_have_text(re.compile(r"Wilma Spontan.*\d\d:\d\d"))
    expect(counts).to_have_text(re.compile(r"1\D+3"))
    expect(results.get_by_text("Wilma Spontan")).to_be_visible()
    walker = Registration.objects.get(event=event, last_name="Spontan")
    assert walker.source == Registration.Source.WALK_IN and walker.checked_in_at is not None
    assert walker.organisation_name == "Malerbetrieb Farbe"


def test_check_in_works_without_javascript(new_page: object, site: Site) -> None:
    event, anna = todays_event(site)
    page: Page = new_page(role="coordinator", viewport=PHONE, javascript=False)  # type: ignore[operator]
    page.goto(checkin_path(event))
    expect(page.get_by_role("button", name=SCAN)).to_be_hidden()
    page.get_by_label(SEARCH_LABEL).fill("Schäfer")
    page.get_by_role("search").get_by_role("button", name=either("Suche", "Search", exact=True)).click()
    page.get_by_role("button", name=CHECK_IN_ANNA).click()
    expect(page.locator(".messages")).to_contain_text("Anna Schäfer")
    anna.refresh_from_db()
    assert anna.checked_in_at is not None


# --- the camera -------------------------------------------------------------------------------------------


def y4m_of(png: bytes, path: Path, *, width: int = 640, height: int = 480, frames: int = 3) -> Path:
    """A Y4M video (the format of Chromium's fake camera) showing the image in the middle."""
    image = Image.open(io.BytesIO(png)).convert("L")
    side = min(width, height) - 80
    image = image.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(image, ((width - side) // 2, (height - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)
    return path


@pytest.fixture
def camera_video(tmp_path: Path, site: Site) -> Iterator[tuple[Event, Registration, Path]]:
    event, anna = todays_event(site)
    yield event, anna, y4m_of(qr_png(check_in_url(anna)), tmp_path / "qr.y4m")


def test_scanning_the_qr_code_with_the_camera(
    playwright: Playwright, site: Site, camera_video: tuple[Event, Registration, Path]
) -> None:
    event, anna, video = camera_video
    browser = playwright.chromium.launch(
        executable_path=_chromium_path(),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    csp_errors: list[str] = []
    try:
        context = browser.new_context(
            base_url=site.url,
            viewport=PHONE,  # type: ignore[arg-type]
            locale="de-DE",
            timezone_id="Europe/Berlin",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.grant_permissions(["camera"], origin=site.url)
        sign_in(context, site.user("coordinator"), site.url)
        page = context.new_page()

        def watch(message: ConsoleMessage) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                csp_errors.append(message.text)

        page.on("console", watch)
        page.goto(checkin_path(event))
        page.get_by_role("button", name=SCAN).click()
        # The decoded link fills the search; the results show Anna with her button.
        button = page.locator("#checkin-results").get_by_role("button", name=CHECK_IN_ANNA)
        expect(button).to_be_visible(timeout=20_000)
        expect(page.get_by_label(SEARCH_LABEL)).to_have_value(check_in_url(anna))
        expect(page.locator("#checkin-scanner")).to_be_hidden()
        button.click()
        expect(page.locator("#checkin-status")).to_have_text(re.compile(r"Anna Schäfer.*\d\d:\d\d"))
        anna.refresh_from_db()
        assert anna.checked_in_at is not None
    finally:
        browser.close()
    assert not csp_errors, csp_errors
