"""Configuration comes from the environment; a bad value stops start-up with one clear line."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cco.env import env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("SECURE_COOKIES", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SECURE_COOKIES='maybe' is not a boolean"):
        env_bool("SECURE_COOKIES", True)


def test_a_bad_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(
        ImproperlyConfigured, match="EMAIL_PORT='twenty-five' is not a whole number"
    ):
        env_int("EMAIL_PORT", 25)


def test_an_unknown_database_scheme_stops_start_up_with_one_line():
    result = run_manage("check", DATABASE_URL="mysql://root@localhost/cco")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_reported_naming_database_url():
    result = run_manage("check", DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode != 0
    assert "DATABASE_URL: cannot connect to the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_redis_is_reported_naming_redis_url():
    result = run_manage("check", REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode != 0
    assert "REDIS_URL: cannot reach Redis" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_mode_without_a_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "a-long-and-random-production-secret-key-value",
        ALLOWED_HOSTS="cx.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_every_setting_read_from_the_environment_is_documented_in_env_example():
    source = (ROOT / "cco" / "settings.py").read_text()
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"(\w+)"', source))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"} <= names
    documented = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in names if f"{name}=" not in documented)
    assert not missing, f"not in .env.example: {missing}"
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"not in the README configuration table: {missing}"
