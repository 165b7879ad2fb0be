"""The criteria in words: labels of the criteria and ``describe_criteria``."""

from __future__ import annotations

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from reallabor.actors.criteria import (
    ALLIANCE,
    Criteria,
)
from reallabor.actors.models import Purpose
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import (
    MOTIVATIONS_FAMILY,
    NEEDS_FAMILY,
    SECTOR_FAMILY,
    TRADES_FAMILY,
    Term,
)


def criterion_labels() -> dict[str, str]:
    return {
        "q": _("Text"),
        "kinds": _("Kind of organisation"),
        "sub_kinds": _("Sub-kind"),
        "sectors": _("Sector (WZ 2008)"),
        "trades": _("Trade"),
        "districts": _("District"),
        "headcount_bands": _("Headcount"),
        "needs": _("Needs"),
        "motivations": _("Motivations"),
        "labs": _("Lab"),
        "alliance": _("Wirtschaftsallianz"),
        "contacted_within_days": _("Last contact"),
        "not_contacted_for_days": _("No contact"),
        "consent": _("Valid consent"),
    }


def alliance_labels() -> dict[str, str]:
    labels = {value: str(label) for value, label in Organisation.AllianceStatus.choices if value}
    labels["none"] = _("not a member")
    return {value: labels.get(value, value) for value in ALLIANCE}


def term_label(name: str, name_en: str, local_name: str) -> str:
    """``Term.label`` from values(): the city's wording in German, the English name in English."""
    if (get_language() or "de").startswith("en"):
        return name_en or name
    return local_name or name


def describe_criteria(criteria: Criteria) -> list[tuple[str, str]]:
    """The criteria as (label, values in words) lines; codes that no longer exist are shown as codes.

    Two queries at most (terms, labs).
    """
    codes = {
        SECTOR_FAMILY: criteria.sectors,
        TRADES_FAMILY: criteria.trades,
        NEEDS_FAMILY: criteria.needs,
        MOTIVATIONS_FAMILY: criteria.motivations,
    }
    names: dict[tuple[str, str], str] = {}
    wanted = {code for values in codes.values() for code in values}
    if wanted:
        for family, code, name, name_en, local_name in Term.objects.filter(
            vocabulary__retired_at__isnull=True,
            vocabulary__family__in=list(codes),
            code__in=wanted,
        ).values_list("vocabulary__family", "code", "name", "name_en", "local_name"):
            names[(family, code)] = term_label(name, name_en, local_name)
    lab_names: dict[str, str] = {}
    if criteria.labs:
        from reallabor.labs.models import Lab

        lab_names = dict(Lab.objects.filter(slug__in=criteria.labs).values_list("slug", "name"))

    def terms(family: str) -> str:
        shown = []
        for code in codes[family]:
            name = names.get((family, code))
            prefix = code.upper() if family in (SECTOR_FAMILY, TRADES_FAMILY) else ""
            if name is None:
                shown.append(_("%(code)s (no longer exists)") % {"code": code})
            else:
                shown.append(f"{prefix} {name}".strip())
        return ", ".join(shown)

    kinds = dict(Organisation.Kind.choices)
    sub_kinds = dict(Organisation.SubKind.choices)
    bands = dict(Organisation.HeadcountBand.choices)
    labels = criterion_labels()
    lines: list[tuple[str, str]] = []
    if criteria.q:
        lines.append((labels["q"], f"“{criteria.q}”"))
    if criteria.kinds:
        lines.append((labels["kinds"], ", ".join(str(kinds.get(kind, kind)) for kind in criteria.kinds)))
    if criteria.sub_kinds:
        lines.append(
            (labels["sub_kinds"], ", ".join(str(sub_kinds.get(kind, kind)) for kind in criteria.sub_kinds))
        )
    if criteria.sectors:
        lines.append((labels["sectors"], terms(SECTOR_FAMILY)))
    if criteria.trades:
        lines.append((labels["trades"], terms(TRADES_FAMILY)))
    if criteria.districts:
        lines.append((labels["districts"], ", ".join(criteria.districts)))
    if criteria.headcount_bands:
        lines.append(
            (labels["headcount_bands"], ", ".join(str(bands.get(b, b)) for b in criteria.headcount_bands))
        )
    if criteria.needs:
        lines.append((labels["needs"], terms(NEEDS_FAMILY)))
    if criteria.motivations:
        lines.append((labels["motivations"], terms(MOTIVATIONS_FAMILY)))
    if criteria.labs:
        lines.append((labels["labs"], ", ".join(lab_names.get(slug, slug) for slug in criteria.labs)))
    if criteria.alliance:
        alliance = alliance_labels()
        lines.append((labels["alliance"], ", ".join(alliance[value] for value in criteria.alliance)))
    if criteria.contacted_within_days is not None:
        days = criteria.contacted_within_days
        lines.append(
            (
                labels["contacted_within_days"],
                ngettext(
                    "contacted within the last %(days)d day",
                    "contacted within the last %(days)d days",
                    days,
                )
                % {"days": days},
            )
        )
    if criteria.not_contacted_for_days is not None:
        days = criteria.not_contacted_for_days
        lines.append(
            (
                labels["not_contacted_for_days"],
                ngettext(
                    "not contacted for %(days)d day (or never)",
                    "not contacted for %(days)d days (or never)",
                    days,
                )
                % {"days": days},
            )
        )
    if criteria.consent:
        lines.append((labels["consent"], str(Purpose(criteria.consent).label)))
    return lines
