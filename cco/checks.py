"""Start-up checks: an unreachable database or Redis is reported as one line naming the variable."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.db import OperationalError, connections


@register("cco_services")
def check_services(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    try:
        connections["default"].ensure_connection()
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        errors.append(
            Error(f"DATABASE_URL: cannot connect to the database ({reason}).", id="cco.E001")
        )
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            errors.append(Error(f"REDIS_URL: cannot reach Redis ({exc}).", id="cco.E002"))
    return errors
