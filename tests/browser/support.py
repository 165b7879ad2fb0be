"""Helpers of the browser tests: bilingual text matching, signing in, axe-core runs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Locator, Page, expect

from reallabor.accounts.models import User
from reallabor.labs.models import Lab, Measure

PASSWORD = "test-password-123"
"""The password of every user the browser fixtures create (the factories' default)."""

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
"""axe-core from the npm registry (see vendor/VERSION); injected into the page, never from a CDN."""

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class Site:
    """The live server with the Bottrop demo portfolio and one user per role.

    The coordinator coordinates »Digitale Koproduktion im Handwerk«; the partner is a partner of
    »Hybride Formen des Handels«. Every user's password is ``support.PASSWORD``.
    """

    url: str
    handel: Lab
    handwerk: Lab
    fachkraefte: Lab
    users: dict[str, User | None] = field(default_factory=dict)

    def user(self, role: str) -> User:
        user = self.users[role]
        assert user is not None, f"{role} is not signed in"
        return user

    def measure(self, slug: str) -> Measure:
        return Measure.objects.select_related("lab").get(slug=slug)

    def measure_url(self, measure: Measure, name: str = "labs:measure-detail") -> str:
        return reverse(name, kwargs={"lab_slug": measure.lab.slug, "slug": measure.slug})


def either(*texts: str, exact: bool = False, ignore_case: bool = False) -> re.Pattern[str]:
    """A pattern matching any of the texts: the German wording first, then the English fallback.

    The interface is German by default; until the German translations are compiled, the English
    source strings appear. ``exact`` anchors the pattern (whole accessible name or text);
    ``ignore_case`` is for form labels, which Django capitalises only when it derives them.
    """
    alternatives = "|".join(re.escape(text) for text in texts)
    pattern = rf"^\s*(?:{alternatives})\s*$" if exact else alternatives
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


# Accessible names used in several tests.
EMAIL_LABEL = re.compile(r"e-?mail", re.IGNORECASE)
PASSWORD_LABEL = re.compile(r"^\s*(?:passwort|password)\b", re.IGNORECASE)
LOGIN_BUTTON = either("Anmelden", "Log in", exact=True)
LOGOUT_BUTTON = either("Abmelden", "Log out", exact=True)
MAIN_NAVIGATION = either("Hauptnavigation", "Main navigation")


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form, the way a person does."""
    page.goto(reverse("accounts:login"))
    page.get_by_label(EMAIL_LABEL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("main").get_by_role("button", name=LOGIN_BUTTON).click()
    expect(page.get_by_role("button", name=LOGOUT_BUTTON)).to_be_visible()


def sign_in(context: BrowserContext, user: User, base_url: str) -> None:
    """Sign in without the form: a session made by Django's test client, handed to the browser.

    For journeys that are not about logging in; saves a round trip through the form.
    """
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie.value, "url": base_url}]
    )


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; returns axe's violations.

    The page's context must bypass the Content Security Policy: the script is injected inline.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map((violation) => ({
                id: violation.id,
                impact: violation.impact,
                help: violation.help,
                helpUrl: violation.helpUrl,
                nodes: violation.nodes.map((node) => ({
                    impact: node.impact,
                    target: node.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : String(t)),
                    summary: node.failureSummary || '',
                })),
            }));
        }""",
        AXE_TAGS,
    )
    return result


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:10]:
            summary = " ".join(node["summary"].split())[:300]
            lines.append(f"    {', '.join(node['target'])}" + (f"  — {summary}" if summary else ""))
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation (WCAG 2.1 A/AA and best practice)."""
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        raise AssertionError(
            f"axe-core found {len(blocking)} serious or critical violation(s) on {page.url}:\n"
            + format_violations(blocking)
        )


def has_horizontal_overflow(page: Page) -> bool:
    """Whether the page as a whole scrolls sideways (a table may scroll inside its own container)."""
    return bool(page.evaluate("() => document.scrollingElement.scrollWidth > window.innerWidth"))


def overflowing_elements(page: Page) -> list[str]:
    """Elements that stick out to the right of the viewport: a diagnosis for an overflow failure."""
    result: list[str] = page.evaluate(
        """() => {
            const width = window.innerWidth;
            const out = [];
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.right > width + 1 && box.width > 0) {
                    let inScroller = false;
                    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                        const style = getComputedStyle(p);
                        if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) { inScroller = true; break; }
                    }
                    if (!inScroller) {
                        const cls = el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                        out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} right=${Math.round(box.right)}`);
                    }
                }
            }
            return out.slice(0, 15);
        }"""
    )
    return result


# --- helpers of the actors (CRM) journeys ----------------------------------------------------------


def assert_accessible_as_served(page: Page) -> None:
    """``assert_accessible`` on a page that keeps its Content Security Policy.

    axe-core is evaluated through the DevTools protocol, which the page's policy does not govern
    (an injected ``<script>`` tag would be refused). So a journey runs with the policy enforced,
    and axe checks each state it reaches, also the states that htmx swaps in. Not for a page
    opened with ``javascript=False``: axe works with timers, which never fire there (the call
    would wait forever); open the same address in a second page instead.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    assert_accessible(page)


def mark_document(page: Page) -> None:
    """Put a mark on the current document: a full page load loses it, an htmx swap keeps it."""
    page.evaluate("() => { window.__sameDocument = true; }")


def is_same_document(page: Page) -> bool:
    return bool(page.evaluate("() => window.__sameDocument === true"))


def select_by_text(select: Locator, text: str | re.Pattern[str]) -> None:
    """Choose the option of a ``<select>`` whose visible text matches (``select_option`` takes
    exact labels only; this takes the bilingual patterns of ``either``)."""
    option = select.locator("option").filter(has_text=text).first
    value = option.get_attribute("value")
    assert value is not None, f"no option {text!r}"
    select.select_option(value=value)


def field_label(*texts: str) -> re.Pattern[str]:
    """A form field's whole label, German or English, with or without the “*” of a required
    field (its text is part of the label, though hidden from screen readers)."""
    alternatives = "|".join(re.escape(text) for text in texts)
    return re.compile(rf"^\s*(?:{alternatives})\s*\*?\s*$")
