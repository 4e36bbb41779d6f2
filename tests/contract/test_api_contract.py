"""The API keeps the promises its OpenAPI schema makes.

schemathesis generates requests for every operation from /api/schema/ (signed in with the
CCO's token, so writes are attempted too) and checks that none ends in a server error and that
every response matches the schema. Bounded: a few examples per operation.
"""

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import given as hypothesis_given
from schemathesis.checks import not_a_server_error
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from cco.wsgi import application
from tests.security.world import build_world

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "8"))
PARTIAL_TIME = re.compile(r'"\d\d:\d\d(:\d\d(\.\d+)?)?" is not a "time"')


def response_matches_schema(ctx, response, case):  # type: ignore[no-untyped-def]
    """Schema conformance, reading `format: time` as a time of day ("09:00:00").

    OpenAPI 3.0 defines no "time" format; drf-spectacular emits it for TimeField, whose values
    are times of day without an offset, while the JSON Schema validator demands RFC 3339's
    full-time with an offset. Every other mismatch still fails.
    """
    try:
        return response_schema_conformance(ctx, response, case)
    except JsonSchemaError as error:
        if PARTIAL_TIME.search(str(error)):
            return None
        raise


# Defects reported to their owners, tolerated only with exactly this symptom until fixed
# (operation → a phrase of the failure); empty when every operation keeps the contract.
KNOWN: dict[str, str] = {}

CHECKS = [not_a_server_error, response_matches_schema, content_type_conformance]

pytestmark = pytest.mark.contract


def _spectacular(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "manage.py", "spectacular", *args],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_schema_is_valid_openapi_3_and_generates_without_warnings(tmp_path):
    result = _spectacular("--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Warning" not in result.stderr, result.stderr[-4000:]
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3.")


@pytest.fixture
def cco_token(
    transactional_db,
    department_a,
    department_b,
    cco,
    executive,
    head_a,
    head_b,
    contributor,
    outsider,
):
    from cco.tokens import api_token_issue

    build_world(
        department_a=department_a,
        department_b=department_b,
        cco=cco,
        executive=executive,
        head_a=head_a,
        head_b=head_b,
        contributor=contributor,
        outsider=outsider,
    )
    return api_token_issue(person=cco)[1]


def test_no_endpoint_answers_with_a_server_error_or_off_schema(cco_token):
    headers = {"Authorization": f"Token {cco_token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=headers)
    failures: list[str] = []
    known: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis_given(case=operation.as_strategy())
        def check(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        name = f"{operation.method.upper()} {operation.path}"
        try:
            check()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # noqa: BLE001 - schemathesis raises failure groups
            text = "\n".join([str(error), *(str(e) for e in getattr(error, "exceptions", []))])
            if KNOWN.get(name, "\0") in text:
                known.append(name)
            else:
                failures.append(f"{name}: {text}"[:3000])
    assert operations >= 20, f"only {operations} operations in the schema"
    assert failures == [], "\n\n".join(failures)
    if known:
        warnings.warn(f"known API contract defects still present: {known}", stacklevel=1)
