"""Personas reused by every test: the CCO, an executive, the heads of departments A and B,
a contributor in A, and an outsider (signed in, no role)."""

import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model

from cco.models import Department, Role, User
from tests.factories import DepartmentFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
# The browser journeys drive Debian's Chromium; CHROMIUM_PATH points them at another binary.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
# On CI no test may skip: one that cannot run there fails, so a green run means every selected
# test ran. The SQLite run deselects what needs PostgreSQL or Redis (-m), on purpose.
ON_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pytest_configure(config: pytest.Config) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process unless a test is about the worker (see celery_worker_process).
    from cco.celery import app

    app.conf.task_always_eager = True


def _missing(item: pytest.Item) -> str | None:
    """What a marked test needs and this run lacks: the markers imply the skip."""
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        return f"needs Chromium at {CHROMIUM}: apt-get install chromium"
    if item.get_closest_marker("postgres") and not settings.IS_POSTGRES:
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis and a real worker: set REDIS_URL=redis://…"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if reason := _missing(item):
        if ON_CI:
            pytest.fail(f"CI runs every selected test, and this one {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if ON_CI and report.skipped and not hasattr(report, "wasxfail"):
        # A skip from inside a test or fixture (pytest.skip, skipif) is a failure on CI.
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI allows no skipped test; this one skipped: {reason}"
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Whatever still skipped (a whole module at collection) fails the CI run too.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if ON_CI and reporter is not None else []
    if skipped:
        reporter.write_line(f"CI allows no skipped test: {len(skipped)} skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# The apps whose tables hold what people write (the API tokens are in cco).
STORED_APPS = ("cco", "metrics", "roadmap", "accountability")


def stored(*models: type[Model]) -> dict[str, list[dict[str, Any]]]:
    """Every stored row of these models (by default every model people write to), read afresh.

    Taken before and after a request: a refused or rejected write must leave it equal, an
    allowed one must not. Asserting the status alone would pass a view that writes first and
    refuses after.

    Each model's rows are `model._base_manager.order_by("pk").values()`, read by the same SQL and
    converted by the same converters; only the SQL is compiled once per model, not at each call
    (the matrices take this picture hundreds of times, and compiling was most of its cost).
    """
    chosen = models or tuple(
        model for label in STORED_APPS for model in apps.get_app_config(label).get_models()
    )
    return {model._meta.label: _rows(model) for model in chosen}


def _rows(model: type[Model]) -> list[dict[str, Any]]:
    compiler, sql, params, names, converters, fields = _compiled_values(
        model, connection.alias, id(connection)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: Iterable[Any] = cursor.fetchall()
    # What SQLCompiler.results_iter does with the rows, with its converters found once.
    if converters:
        rows = compiler.apply_converters(rows, converters)
    if compiler.has_composite_fields(fields):
        rows = compiler.composite_fields_to_tuples(rows, fields)
    return [dict(zip(names, row, strict=True)) for row in rows]


@functools.cache
def _compiled_values(model: type[Model], alias: str, _connection: int) -> tuple[Any, ...]:
    """What `QuerySet.values()` runs for this model (see django.db.models.query.ValuesIterable):
    its compiler, set up by compiling its SQL once, the names of its columns and the converters
    of their values."""
    query = model._base_manager.using(alias).order_by("pk").values().query
    compiler = query.get_compiler(alias)
    sql, params = compiler.as_sql()
    names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
    return compiler, sql, params, names, compiler.get_converters(fields), fields


@contextmanager
def rolled_back() -> Iterator[None]:
    """Undo every write made inside, so each person in a matrix meets the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def new_department(name: str, slug: str, head: str) -> Department:
    department = DepartmentFactory(name=name, slug=slug)
    department.head = UserFactory(username=head, role=Role.DEPARTMENT_HEAD, department=department)
    department.save()
    return department


def new_department_a() -> Department:
    return new_department("Customer service", "customer-service", "head-a")


def new_department_b() -> Department:
    return new_department("Billing", "billing", "head-b")


def new_cco() -> User:
    """A CCO by role alone, staff as the product makes them: a superuser would pass every rule
    in cco/rules.py unasked, and the tests would never see the CCO's rules run."""
    return UserFactory(username="the-cco", role=Role.CCO, is_staff=True)


def new_executive() -> User:
    return UserFactory(username="the-executive", role=Role.EXECUTIVE)


def new_contributor(department_a: Department) -> User:
    return UserFactory(username="contributor-a", role=Role.CONTRIBUTOR, department=department_a)


def new_outsider() -> User:
    """Signed in, but given no role in the programme (e.g. a deactivated role field)."""
    return UserFactory(username="outsider", role="")


@pytest.fixture
def department_a(db: None) -> Department:
    return new_department_a()


@pytest.fixture
def department_b(db: None) -> Department:
    return new_department_b()


@pytest.fixture
def cco(db: None) -> User:
    return new_cco()


@pytest.fixture
def admin(db: None) -> User:
    """A superuser with no role in the programme, for tests of the Django admin itself."""
    return UserFactory(username="the-admin", role="", is_staff=True, is_superuser=True)


@pytest.fixture
def executive(db: None) -> User:
    return new_executive()


@pytest.fixture
def head_a(department_a: Department) -> User:
    return department_a.head


@pytest.fixture
def head_b(department_b: Department) -> User:
    return department_b.head


@pytest.fixture
def contributor(department_a: Department) -> User:
    return new_contributor(department_a)


@pytest.fixture
def outsider(db: None) -> User:
    return new_outsider()


@pytest.fixture
def client_for(client):  # type: ignore[no-untyped-def]
    """`client_for(user)` signs the test client in as that person."""

    def sign_in(user: User):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def api_for(db: None):  # type: ignore[no-untyped-def]
    """`api_for(user)` gives a DRF APIClient authenticated as that person by token."""
    from rest_framework.test import APIClient

    from cco.models import ApiToken
    from cco.tokens import token_digest

    def make(user: User | None) -> APIClient:
        api = APIClient()
        if user is not None:
            # Only digests are stored, so the key is known in advance: the same for each
            # call, as the token fetched before was, even after a rolled-back test block.
            key = f"test-token-{user.pk}"
            ApiToken.objects.update_or_create(user=user, defaults={"digest": token_digest(key)})
            api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api

    return make


# The markers, under the names older test modules import: each implies its skip (see _missing).
requires_postgres = pytest.mark.postgres
requires_redis = pytest.mark.redis


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[subprocess.Popen]:
    """A real Celery worker process on the Redis broker, using the test database.

    The test must commit its data (transactional_db) so the worker, another process, sees it.
    """
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    db = connection.settings_dict
    env = dict(os.environ)
    if settings.IS_POSTGRES:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        pytest.skip("a worker process needs a shared database file or server: use PostgreSQL")
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [
            celery or "celery",
            "-A",
            "cco",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
    )
    from cco.celery import app

    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                break
            if process.poll() is not None:
                pytest.fail("the Celery worker exited at start-up")
        else:
            pytest.fail("the Celery worker did not answer a ping within 30 s")
        yield process
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(autouse=True)
def _fresh_cutoffs() -> Iterator[None]:
    """The red / amber / green cut-offs are cached across requests; each test starts and ends
    without a cached copy, so one test's cut-offs never colour another's pages."""
    from accountability.cutoffs import forget_delivery_cutoffs
    from metrics.selectors.cutoffs import forget_score_cutoffs

    forget_score_cutoffs()
    forget_delivery_cutoffs()
    yield
    forget_score_cutoffs()
    forget_delivery_cutoffs()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages (the overview's panels) never carry over from one test's data to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
