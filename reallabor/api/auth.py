"""Authentication of the API: tokens for scripts, the session for the browser, anonymous reading.

Every operation takes its ``auth`` from here:

- ``READ_AUTH`` (the API's default): a token, else the session, else anonymous. Reading works
  without credentials and shows public data; a *bad* bearer token is refused (401) rather than
  silently treated as anonymous. Other ``Authorization`` schemes (a proxy's Basic auth) are
  ignored.
- ``WRITE_AUTH``: a token or the session; anonymous writes get 401.

Session authentication checks CSRF on unsafe methods (POST, PATCH, PUT, DELETE) for signed-in
users, as Django's middleware would (ninja exempts its views from the middleware and leaves
the check to cookie-based auth). Token requests need no CSRF token: browsers never attach an
``Authorization`` header on their own.

Views get the acting user with ``get_user(request)``: a ``User`` or an ``AnonymousUser``, never
``None`` (services treat ``None`` as the system, which may do everything).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import APIKeyCookie
from ninja.security.http import HttpAuthBase
from ninja.utils import check_csrf

from reallabor.accounts.models import User
from reallabor.accounts.services import authenticate_token


class TokenAuth(HttpAuthBase):
    """``Authorization: Bearer <key>`` with a key from the user's API tokens."""

    openapi_scheme = "bearer"
    openapi_description = (
        "An API token of your account: `Authorization: Bearer rl_…`. "
        "Tokens act with the rights of their owner and need no CSRF token."
    )

    def __call__(self, request: HttpRequest) -> User | None:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _sep, key = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            # Another scheme (e.g. Basic auth of a proxy in front of a staging site) is not ours.
            return None
        if not key.strip():
            raise AuthenticationError(
                message=_("The API token is missing: send “Authorization: Bearer <token>”.")
            )
        user = authenticate_token(key.strip())
        if user is None:
            raise AuthenticationError(message=_("The API token is invalid or has been revoked."))
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods need the CSRF token (``X-CSRFToken`` header)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The session of a signed-in browser (cookie). POST, PATCH and DELETE also need the "
        "CSRF token in the `X-CSRFToken` header."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check happens in ``authenticate``, only for a signed-in user: an anonymous
        # write should hear "sign in" (401), not "CSRF failed" (403).
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise AuthorizationError(
                message=_(
                    "CSRF check failed: send the value of the csrftoken cookie in the X-CSRFToken header."
                )
            )
        return user


def anonymous(request: HttpRequest) -> AnonymousUser:
    """Lets a read operation run without credentials (public data only)."""
    return AnonymousUser()


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)

READ_AUTH: Sequence[Callable[[HttpRequest], Any]] = [token_auth, session_auth, anonymous]
WRITE_AUTH: Sequence[Callable[[HttpRequest], Any]] = [token_auth, session_auth]


def get_user(request: HttpRequest) -> User | AnonymousUser:
    """The acting user of an API request (never None: None would mean the system)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, User) and auth.is_active:
        return auth
    return AnonymousUser()


def viewer(user: User | AnonymousUser) -> User | None:
    """The argument for ``Model.objects.visible_to``: the user, or None for the public."""
    return user if isinstance(user, User) else None


def require_user(request: HttpRequest) -> User:
    """The signed-in user of a write operation (``WRITE_AUTH`` already refused anonymous requests)."""
    user = get_user(request)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user
