"""What a column can fill (targets), and the column mapping: suggested from German and English
header names, and checked (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reallabor.actors.importing.values import lookup_key

PURPOSES: dict[str, Promise] = {
    "newsletter": gettext_lazy("Consent: newsletter"),
    "event_follow_up": gettext_lazy("Consent: event follow-up"),
    "matching": gettext_lazy("Consent: matching with offers"),
    "benchmarking": gettext_lazy("Consent: benchmarking"),
    "photos": gettext_lazy("Consent: photos"),
}

TARGETS: dict[str, Promise] = {
    "organisation.name": gettext_lazy("Organisation: name"),
    "organisation.kind": gettext_lazy("Organisation: kind"),
    "organisation.sub_kind": gettext_lazy("Organisation: sub-kind"),
    "organisation.sector": gettext_lazy("Organisation: sector (WZ 2008)"),
    "organisation.trade": gettext_lazy("Organisation: trade"),
    "organisation.headcount_band": gettext_lazy("Organisation: employees"),
    "organisation.founding_year": gettext_lazy("Organisation: founding year"),
    "organisation.street": gettext_lazy("Organisation: street and number"),
    "organisation.postcode": gettext_lazy("Organisation: postcode"),
    "organisation.city": gettext_lazy("Organisation: city"),
    "organisation.district": gettext_lazy("Organisation: district"),
    "organisation.quarter": gettext_lazy("Organisation: quarter"),
    "organisation.email": gettext_lazy("Organisation: e-mail"),
    "organisation.phone": gettext_lazy("Organisation: phone"),
    "organisation.website": gettext_lazy("Organisation: website"),
    "organisation.alliance_status": gettext_lazy("Organisation: Wirtschaftsallianz"),
    "organisation.alliance_since": gettext_lazy("Organisation: Wirtschaftsallianz since"),
    "organisation.needs": gettext_lazy("Organisation: needs"),
    "organisation.motivations": gettext_lazy("Organisation: motivations"),
    "organisation.labs": gettext_lazy("Organisation: labs"),
    "person.salutation": gettext_lazy("Person: salutation"),
    "person.name": gettext_lazy("Person: full name"),
    "person.first_name": gettext_lazy("Person: first name"),
    "person.last_name": gettext_lazy("Person: last name"),
    "person.function": gettext_lazy("Person: function"),
    "person.email": gettext_lazy("Person: e-mail"),
    "person.phone": gettext_lazy("Person: phone"),
    "person.mobile": gettext_lazy("Person: mobile"),
    **{f"consent.{purpose}": label for purpose, label in PURPOSES.items()},
}
REQUIRED_ANY = ("organisation.name", "person.last_name", "person.name")
VALUE_KEYS = {"sector": "sector_id", "trade": "trade_id"}

# Model fields the targets fill (the rest are lists or need work: sector, trade, needs …).
TEXT_TARGETS = {
    "organisation.name": "name",
    "organisation.street": "street",
    "organisation.city": "city",
    "organisation.district": "district",
    "organisation.quarter": "quarter",
    "organisation.phone": "phone",
    "person.salutation": "salutation",
    "person.first_name": "first_name",
    "person.last_name": "last_name",
    "person.function": "function",
    "person.phone": "phone",
    "person.mobile": "mobile",
}

# Header names, as lookup keys (see ``lookup_key``) -------------------------------------------------

SYNONYMS: dict[str, tuple[str, ...]] = {
    "organisation.name": (
        "firma", "firmenname", "firmierung", "unternehmen", "unternehmensname", "organisation",
        "organisationsname", "organisationname", "organization", "organizationname", "company",
        "companyname", "betrieb", "betriebsname", "einrichtung", "institution", "arbeitgeber",
        "akteur", "name1", "firmaname",
    ),
    "organisation.kind": ("art", "typ", "kind", "type", "organisationsart", "akteursart", "akteurstyp", "organisationstyp"),
    "organisation.sub_kind": ("unterart", "subkind", "untertyp", "subtype", "teilart"),
    "organisation.sector": (
        "branche", "wz", "wzcode", "wz2008", "wirtschaftszweig", "sector", "industry", "wzabteilung",
        "branchewz", "sektor",
    ),
    "organisation.trade": ("gewerk", "handwerk", "trade", "handwerksgewerk", "gewerke", "craft"),
    "organisation.headcount_band": (
        "mitarbeiter", "mitarbeitende", "mitarbeiterzahl", "anzahlmitarbeiter", "beschaeftigte",
        "beschaeftigtenzahl", "anzahlbeschaeftigte", "employees", "headcount", "groesse",
        "groessenklasse", "size", "mitarbeiteranzahl", "numberofemployees", "ma",
    ),
    "organisation.founding_year": (
        "gruendungsjahr", "gegruendet", "gruendung", "founded", "foundingyear", "yearfounded",
        "gruendungsdatum",
    ),
    "organisation.street": (
        "strasse", "str", "strassehausnummer", "strasseundhausnummer", "strassenr", "strassenummer",
        "adresse", "anschrift", "street", "address", "streetaddress", "strasseundnummer",
    ),
    "organisation.postcode": ("plz", "postleitzahl", "postcode", "zip", "zipcode", "postalcode"),
    "organisation.city": ("ort", "stadt", "city", "town", "gemeinde", "wohnort"),
    "organisation.district": ("stadtteil", "stadtbezirk", "bezirk", "district"),
    "organisation.quarter": ("quartier", "viertel", "quarter", "ortsteil", "wohnviertel"),
    "organisation.email": (
        "firmenemail", "emailfirma", "emailunternehmen", "unternehmensemail", "organisationemail",
        "companyemail", "emailorganisation", "emailbetrieb", "allgemeineemail",
    ),
    "organisation.phone": (
        "firmentelefon", "telefonfirma", "telefonunternehmen", "companyphone", "telefonzentrale",
        "zentrale", "organisationphone",
    ),
    "organisation.website": (
        "website", "webseite", "homepage", "internet", "internetseite", "internetadresse", "url",
        "web", "www",
    ),
    "organisation.alliance_status": (
        "wirtschaftsallianz", "allianz", "allianzstatus", "alliancestatus", "wirtschaftsallianzstatus",
        "mitgliedwirtschaftsallianz",
    ),
    "organisation.alliance_since": (
        "allianzseit", "wirtschaftsallianzseit", "mitgliedseit", "alliancesince", "membersince",
        "mitgliedwirtschaftsallianzseit",
    ),
    "organisation.needs": ("bedarfe", "bedarf", "needs", "beduerfnisse", "need"),
    "organisation.motivations": ("motivation", "motivationen", "motivations", "motive"),
    "organisation.labs": ("reallabor", "reallabore", "labor", "labore", "labs", "lab"),
    "person.salutation": ("anrede", "salutation", "briefanrede"),
    "person.name": (
        "ansprechpartner", "ansprechpartnerin", "ansprechperson", "kontaktperson", "kontakt",
        "contact", "contactperson", "contactname", "fullname", "vollername", "person",
    ),
    "person.first_name": ("vorname", "firstname", "givenname", "rufname"),
    "person.last_name": ("nachname", "familienname", "lastname", "surname", "familyname", "zuname"),
    "person.function": ("funktion", "position", "rolle", "function", "jobtitle", "role", "stellung", "taetigkeit", "titel"),
    "person.email": (
        "emailansprechpartner", "emailkontakt", "kontaktemail", "personemail", "contactemail",
        "emailperson", "emailansprechperson", "persoenlicheemail",
    ),
    "person.phone": (
        "telefonansprechpartner", "durchwahl", "contactphone", "telefonkontakt", "kontakttelefon",
        "personphone", "telefonperson",
    ),
    "person.mobile": ("mobil", "handy", "mobilnummer", "mobile", "mobilephone", "cell", "handynummer", "mobiltelefon"),
    "consent.newsletter": ("newsletter", "einwilligungnewsletter", "newslettereinwilligung", "consentnewsletter", "newsletterabo"),
    "consent.event_follow_up": (
        "einwilligungveranstaltung", "veranstaltungsnachbereitung", "eventfollowup",
        "consenteventfollowup", "einwilligungveranstaltungsnachbereitung",
    ),
    "consent.matching": ("einwilligungmatching", "matching", "consentmatching", "einwilligungangebote"),
    "consent.benchmarking": ("einwilligungbenchmarking", "benchmarking", "consentbenchmarking"),
    "consent.photos": ("fotos", "fotoeinwilligung", "einwilligungfotos", "photos", "consentphotos", "bildrechte"),
}  # fmt: skip
_EMAIL_WORDS = ("email", "mail", "emailadresse", "mailadresse", "emailaddress")
_PHONE_WORDS = ("telefon", "tel", "telefonnummer", "phone", "telephone", "fon", "rufnummer")


def target_label(target: str) -> str:
    return str(TARGETS.get(target, target))


def _header_lookup() -> dict[str, str]:
    found: dict[str, str] = {}
    for target, words in SYNONYMS.items():
        for word in words:
            found.setdefault(word, target)
    for target, label in TARGETS.items():
        found.setdefault(lookup_key(target), target)
        found.setdefault(lookup_key(str(label)), target)
    return found


def suggest_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Column → target for the headers we recognise (German and English names).

    “Name” is the organisation's name, or the person's last name where another column already
    names the organisation; a plain “E-Mail” or “Telefon” belongs to the person when the file
    names people, else to the organisation.
    """
    lookup = _header_lookup()
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    pending: list[tuple[str, str]] = []
    for header in headers:
        key = lookup_key(header)
        target = lookup.get(key)
        if target is None:
            target = _compound(key)
        if target and target not in taken:
            mapping[header] = target
            taken.add(target)
        elif key in ("name", "name2", *_EMAIL_WORDS, *_PHONE_WORDS):
            pending.append((header, key))
    names_people = bool(taken & {"person.first_name", "person.last_name", "person.name"})
    for header, key in pending:
        candidates: tuple[str, ...]
        if key in ("name", "name2"):
            candidates = ("organisation.name", "person.last_name")
        elif key in _EMAIL_WORDS:
            candidates = ("person.email", "organisation.email") if names_people else ("organisation.email",)
        else:
            candidates = ("person.phone", "organisation.phone") if names_people else ("organisation.phone",)
        for candidate in candidates:
            if candidate not in taken:
                mapping[header] = candidate
                taken.add(candidate)
                break
    # A full-name column is not needed where first and last names have columns of their own.
    if "person.last_name" in taken and "person.name" in taken:
        for header, target in list(mapping.items()):
            if target == "person.name" and lookup_key(header) != "personname":
                del mapping[header]
    return mapping


def _compound(key: str) -> str | None:
    """Headers such as “E-Mail Ansprechpartner” or “Telefon (Firma)” that combine two words."""
    person = any(word in key for word in ("ansprechpartner", "kontakt", "contact", "person"))
    company = any(word in key for word in ("firma", "unternehmen", "organisation", "company", "betrieb"))
    if "mail" in key:
        return "person.email" if person else "organisation.email" if company else None
    if any(word in key for word in ("mobil", "handy")):
        return "person.mobile"
    if any(word in key for word in ("telefon", "phone")):
        return "person.phone" if person else "organisation.phone" if company else None
    if key.startswith("einwilligung") or key.startswith("consent"):
        for purpose in PURPOSES:
            if lookup_key(purpose) in key:
                return f"consent.{purpose}"
    return None


def check_mapping(headers: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    """What is wrong with a mapping (empty list: nothing)."""
    problems: list[str] = []
    known = set(headers)
    used: dict[str, str] = {}
    for header, target in mapping.items():
        if not target:
            continue
        if header not in known:
            problems.append(_("The file has no column “%(column)s”.") % {"column": header})
            continue
        if target not in TARGETS:
            problems.append(
                _("Column “%(column)s”: “%(target)s” is not a field that can be imported.")
                % {"column": header, "target": target}
            )
            continue
        if target in used:
            problems.append(
                _("The columns “%(first)s” and “%(second)s” both go to “%(target)s”; choose one.")
                % {"first": used[target], "second": header, "target": target_label(target)}
            )
            continue
        used[target] = header
    if not problems and not any(target in used for target in REQUIRED_ANY):
        problems.append(
            _(
                "No column gives the organisation's name (“%(organisation)s”) or the person's last name "
                "(“%(person)s”); map one of them."
            )
            % {
                "organisation": target_label("organisation.name"),
                "person": target_label("person.last_name"),
            }
        )
    if "person.name" in used and ("person.last_name" in used or "person.first_name" in used):
        problems.append(_("Map either the full name or the first and last names of the person, not both."))
    return problems


def ignored_columns(headers: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    return [header for header in headers if not mapping.get(header)]
