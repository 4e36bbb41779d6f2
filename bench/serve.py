"""Serving the product for a benchmark: a throw-away database, production settings on loopback,
gunicorn, and waiting until it answers. Shared by bench/load.py and bench/browser.py."""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# Debian's Chromium, as the browser tests use it; quiet flags so no update or sync adds noise.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def throwaway_database(suffix: str) -> str:
    """A fresh database URL beside the configured one; never the configured one itself."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = (parts.path.lstrip("/") or "cco") + f"_{suffix}"
        admin = urlunsplit(parts._replace(path="/postgres"))
        import psycopg2

        connection = psycopg2.connect(admin)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        return urlunsplit(parts._replace(path=f"/{name}"))
    data = ROOT / "bench" / "data"
    data.mkdir(parents=True, exist_ok=True)
    for ending in ("", "-wal", "-shm"):
        (data / f"{suffix}.sqlite3{ending}").unlink(missing_ok=True)
    return f"sqlite:///{data / f'{suffix}.sqlite3'}"


def production_env(database: str) -> dict[str, str]:
    """Production mode, plain HTTP on loopback: no TLS redirect, cookies over HTTP."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="cco-bench-static-"),
        "DATABASE_URL": database,
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare_demo(env: dict[str, str], responses: int) -> None:
    """Migrate, collect static files and seed the demo organisation (roll-ups in-process)."""
    seed_env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    manage(seed_env, "migrate", "--noinput")
    manage(seed_env, "collectstatic", "--noinput")
    manage(seed_env, "seed_demo", "--force", "--responses", str(responses))


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "cco.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )  # fmt: skip


def wait_until_serving(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited at start-up")
        try:
            with urllib.request.urlopen(f"{url}/health/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the server did not answer {url}/health/ within {seconds:.0f} s")


def checkpoint() -> None:
    """Write out what earlier steps left dirty, so a timed step does not pay for it."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # superusers and pg_checkpoint members only
    except DatabaseError as error:
        print(f"no CHECKPOINT between steps ({error.__class__.__name__}): figures may be noisier")
