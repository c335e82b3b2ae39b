"""API plumbing shared by every feature router: authentication and the one place errors become JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from loa.people.models import User
from loa.people.services import token_authenticate


class TokenAuth(HttpBearer):
    """Personal API tokens: `Authorization: Bearer loa_…`. Not cookie-based, so no CSRF needed."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSession(SessionAuth):
    """The browser session (CSRF-checked by django-ninja for unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), ActiveSession()]


def actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]
