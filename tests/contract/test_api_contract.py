"""The API keeps the promises its OpenAPI schema makes, for the CCO and for a department head.

schemathesis generates requests for every operation from /api/schema/ — valid ones and ones
that break the schema — signed in with the persona's token (so writes are attempted too), and
runs all its checks on every answer. A server error, a status code, content type, header or
body the schema does not declare, an ignored token or a deleted object still served fails the
test, naming the operation; the business-rule findings are counted (BUSINESS_RULES).

Bounded: CONTRACT_EXAMPLES examples per operation and mode (default 3), well under three
minutes for both personas on two cores. The figures of each run are printed (`pytest -s`).
"""

import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import given as hypothesis_given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, ServerError

from cco.wsgi import application
from tests.security.world import build_world

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "3"))

pytestmark = pytest.mark.contract

# Findings that are the rules' doing, not the schema's: a schema-valid body the rules refuse (a
# score out of its metric's range, a head writing for another department) or a filter value
# the schema cannot rule out. Counted and printed; every other check fails the test.
BUSINESS_RULES = {"RejectedPositiveData", "AcceptedNegativeData"}


@dataclass
class Tally:
    operations: int = 0
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)  # "<kind> <operation>" → first case

    refusals: Counter = field(default_factory=Counter)

    def record(self, operation: str, error: Failure) -> None:
        kind = "ServerError" if isinstance(error, ServerError) else type(error).__name__
        if kind in BUSINESS_RULES:
            self.refusals[kind] += 1
            return
        key = f"{kind}: {operation}: {error.title}"
        self.failures.setdefault(key, f"{key}\n{error.message}"[:1500])

    def summary(self, persona: str) -> str:
        kinds = Counter(key.split(":", 1)[0] for key in self.failures)
        return (
            f"contract as {persona}: {self.operations} operations, {self.cases} cases, "
            f"statuses {dict(sorted(self.statuses.items()))}, failures by kind {dict(kinds)}, "
            f"business-rule findings {dict(self.refusals)}"
        )


def _spectacular(*args: str):  # type: ignore[no-untyped-def]
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
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
def tokens(
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
    return {
        "cco": api_token_issue(person=cco)[1],
        "department head": api_token_issue(person=head_a)[1],
    }


def run_contract(token: str) -> Tally:
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=headers)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        name = f"{operation.method.upper()} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @hypothesis_given(case=operation.as_strategy(generation_mode=mode))
            def check(case) -> None:  # type: ignore[no-untyped-def]
                response = case.call(headers=headers)
                tally.cases += 1
                tally.statuses[response.status_code] += 1
                try:
                    case.validate_response(response, headers=headers)
                except Failure as error:
                    tally.record(f"{case.method.upper()} {case.path}", error)
                except BaseExceptionGroup as group:  # several checks failed on one answer
                    for error in group.exceptions:
                        if isinstance(error, Failure):
                            tally.record(f"{case.method.upper()} {case.path}", error)
                        else:
                            raise

            try:
                check()
            except Unsatisfiable:
                # Nothing to break in an operation without parameters or body.
                assert mode is GenerationMode.NEGATIVE, name
    return tally


@pytest.mark.parametrize("persona", ["cco", "department head"])
def test_no_endpoint_answers_with_a_server_error_or_off_schema(tokens, persona):
    tally = run_contract(tokens[persona])
    print(tally.summary(persona))  # noqa: T201 - the figures CI reports
    assert tally.operations >= 20, f"only {tally.operations} operations in the schema"
    assert tally.cases >= tally.operations * 2
    assert tally.failures == {}, "\n\n".join(tally.failures.values())
