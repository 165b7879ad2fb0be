"""Vocabularies are the office's: administrators edit them; everyone may read them."""

from typing import Any

from reallabor.accounts.permissions import is_admin


def can_edit_vocabulary(user: Any, vocabulary: Any = None) -> bool:
    if vocabulary is not None and not vocabulary.is_editable:
        return False
    return is_admin(user)
