"""Normalised keys for finding duplicates: a name without legal form, a web domain (pure functions)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Legal forms and filler words that do not tell two organisations apart.
_LEGAL_FORMS = re.compile(
    r"\b(gmbh\s*&\s*co\.?\s*kg|gmbh|ggmbh|ug(\s*\(haftungsbeschränkt\))?|ag|kg|ohg|gbr|e\.?\s*k\.?|e\.?\s*v\.?"
    r"|eg|mbh|co\.?|inh\.?|inhaber(in)?)(?=\s|$|[.,;])",
    re.IGNORECASE,
)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def name_key(name: str) -> str:
    """“Müller Bau GmbH & Co. KG” and “Mueller-Bau” both give “muellerbau”."""
    text = unicodedata.normalize("NFKC", name or "").lower().translate(_FOLD)
    text = _LEGAL_FORMS.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))[:200]


def web_domain(url: str) -> str:
    """The host of a website without “www.”: https://www.mueller-bau.de/kontakt → mueller-bau.de."""
    url = (url or "").strip().lower()
    if not url:
        return ""
    if "://" not in url:
        url = "http://" + url
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")[:200]


def email_domain(email: str) -> str:
    return (email or "").rpartition("@")[2].strip().lower()
