"""Every change to accounts and API tokens goes through these functions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.accounts.models import ApiToken, User
from reallabor.accounts.permissions import is_admin
from reallabor.core.validation import ErrorCollector


@transaction.atomic
def create_user(
    *,
    user: Any,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    role: str = User.Role.MEMBER,
    validate: bool = False,
) -> User:
    """Create an account; ``validate`` applies the password rules (the demo loader skips them)."""
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may create accounts."))
    errors = ErrorCollector()
    email = User.objects.normalize_email(email).lower().strip()
    if User.objects.filter(email__iexact=email).exists():
        errors.add("email", _("An account with this e-mail address already exists."))
    new = User(email=email, first_name=first_name, last_name=last_name, role=role)
    if role == User.Role.ADMINISTRATOR:
        new.is_staff = True
    errors.clean(new, exclude=["password"])
    if password and validate:
        try:
            validate_password(password, new)
        except ValidationError as error:
            errors.add_validation_error(error, "password")
    errors.raise_if_any()
    if password:
        new.set_password(password)
    else:
        new.set_unusable_password()
    new.save()
    return new


@transaction.atomic
def create_api_token(*, user: Any, owner: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``owner``; returns it with the plain key, which is not stored."""
    if user is not None and user != owner and not is_admin(user):
        raise PermissionDenied(_("You may only create tokens for yourself."))
    if not name.strip():
        raise ValidationError({"name": [_("Give the token a name, e.g. the script that uses it.")]})
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=owner, name=name.strip(), key_hash=ApiToken.hash_key(key), prefix=key[3:9]
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, user: Any, token: ApiToken) -> None:
    if user is not None and user != token.user and not is_admin(user):
        raise PermissionDenied(_("You may only revoke your own tokens."))
    token.delete()


def authenticate_token(key: str) -> User | None:
    """The active user behind a token key, or None; records the time of use."""
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def add_organisation_member(*, user: Any, member: User, organisation: Any) -> bool:
    """Let ``member`` act for ``organisation`` (accounts.OrganisationMembership); True when new.

    Administrators only: membership grants sight of the organisation's own check results.
    """
    from reallabor.accounts.models import OrganisationMembership

    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may change organisation memberships."))
    _membership, created = OrganisationMembership.objects.get_or_create(
        user=member, organisation=organisation
    )
    return created


@transaction.atomic
def remove_organisation_member(*, user: Any, member: User, organisation: Any) -> bool:
    """End ``member``'s membership of ``organisation``; True when there was one."""
    from reallabor.accounts.models import OrganisationMembership

    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may change organisation memberships."))
    deleted, _rows = OrganisationMembership.objects.filter(user=member, organisation=organisation).delete()
    return bool(deleted)
