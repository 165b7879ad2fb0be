"""Text helpers."""

from django.utils.text import slugify

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def german_slugify(text: str) -> str:
    """A slug as Germans write it: »Fachkräftesicherung« → fachkraeftesicherung."""
    return slugify(text.translate(_GERMAN))
