"""Start-up checks: an unreachable database or Redis is reported as one line naming the variable.

Both run for `manage.py check` and the commands that check everything. A command that only
needs the database (an import: its roll-up waits for the broker's return, see cco/queue.py)
asks for the "cco_database" tag alone, so a broker outage does not stop it.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.db import OperationalError, connections


@register("cco_services", "cco_database")
def check_database(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        connections["default"].ensure_connection()
    except OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [Error(f"DATABASE_URL: cannot connect to the database ({reason}).", id="cco.E001")]
    return []


@register("cco_services")
def check_redis(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not settings.REDIS_URL:
        return []
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return [Error(f"REDIS_URL: cannot reach Redis ({exc}).", id="cco.E002")]
    return []
