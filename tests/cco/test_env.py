"""A variable left empty (as copied from .env.example) takes its default; it never stops
start-up with a parse error."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cco.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_variable_takes_the_default(monkeypatch):
    for name in ("A_STRING", "A_BOOL", "A_NUMBER", "A_LIST"):
        monkeypatch.setenv(name, "  ")
    assert env_str("A_STRING", "fallback") == "fallback"
    assert env_bool("A_BOOL", True) is True
    assert env_int("A_NUMBER", 7) == 7
    assert env_list("A_LIST", "a,b") == ["a", "b"]


def test_an_empty_required_variable_is_still_refused_by_name(monkeypatch):
    monkeypatch.setenv("A_REQUIRED", "")
    with pytest.raises(ImproperlyConfigured, match="A_REQUIRED is not set"):
        env_str("A_REQUIRED")


def test_a_set_value_wins_over_the_default(monkeypatch):
    monkeypatch.setenv("A_BOOL", "0")
    monkeypatch.setenv("A_STRING", "given")
    assert env_bool("A_BOOL", True) is False
    assert env_str("A_STRING", "fallback") == "given"


def test_the_product_starts_with_the_empty_values_of_env_example():
    """Every variable exported exactly as .env.example lists it (empty ones included)."""
    example = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            example[name] = value
    assert example["DATABASE_URL"] == "" and example["STATIC_ROOT"] == ""
    clean = {k: v for k, v in os.environ.items() if k not in example}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **example, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
