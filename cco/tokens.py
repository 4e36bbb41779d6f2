"""API tokens: made, revoked and checked. Only a digest of each key is stored, so a copy of the
database (a backup, a leaked dump) holds no key that works."""

import hashlib
import secrets
from typing import Any

from django.db import transaction
from rest_framework import authentication, exceptions

from cco.models import ApiToken, User


def token_digest(key: str) -> str:
    """SHA-256 of the key. A key is 160 random bits, so a fast hash without salt is enough:
    there is no dictionary of likely keys to try against a stolen digest."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, person: User) -> tuple[ApiToken, str]:
    """A new token for `person`, replacing any they had, and its key: the one time it is seen."""
    key = secrets.token_hex(20)
    ApiToken.objects.filter(user=person).delete()
    return ApiToken.objects.create(user=person, digest=token_digest(key)), key


@transaction.atomic
def api_token_revoke(*, person: User) -> bool:
    """Delete `person`'s token; True when they had one."""
    deleted, _ = ApiToken.objects.filter(user=person).delete()
    return bool(deleted)


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, checked against the stored digests."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
