"""Secrets and caching: API keys are kept only as digests, private answers are never cached, and
the calendar feed cannot be broken by a lone carriage return."""

import importlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.conftest import stored


def _program(key: str) -> APIClient:
    program = APIClient()
    program.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return program


def _new_key(client) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/account/token/new/")
    assert response.status_code == 200
    key = re.search(r'<code class="token">([^<]+)</code>', response.content.decode())
    assert key, "the new key is shown on the page"
    return key.group(1)


# --- API tokens are stored as digests -------------------------------------------------------


def test_a_new_token_is_shown_once_and_no_stored_row_holds_it(client_for, head_a):
    client = client_for(head_a)
    key = _new_key(client)
    assert _program(key).get("/api/people/me/").status_code == 200
    assert key not in repr(stored()), "the key can be read back from the database"
    assert key not in client.get("/account/token/").content.decode()


def test_the_stored_digest_does_not_work_as_a_key(client_for, head_a):
    from cco.models import ApiToken

    _new_key(client_for(head_a))
    digest = ApiToken.objects.get(user=head_a).digest
    assert _program(digest).get("/api/people/me/").status_code == 401


def test_a_replaced_token_stops_working_and_each_person_has_one(client_for, head_a):
    from cco.models import ApiToken

    client = client_for(head_a)
    first = _new_key(client)
    second = _new_key(client)
    assert first != second
    assert _program(first).get("/api/people/me/").status_code == 401
    assert _program(second).get("/api/people/me/").status_code == 200
    assert ApiToken.objects.filter(user=head_a).count() == 1


def test_a_token_of_a_deactivated_person_is_refused(client_for, head_a):
    key = _new_key(client_for(head_a))
    head_a.is_active = False
    head_a.save()
    assert _program(key).get("/api/people/me/").status_code == 401


def test_tokens_made_before_hashing_keep_working_and_leave_no_plain_key(head_a, executive):
    """The data migration turns each plain key of DRF's old token table into a digest."""
    from django.apps import apps

    migration = importlib.import_module("cco.migrations.0003_api_token_digest")
    timestamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    created = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token "
            f"(key varchar(40) PRIMARY KEY, user_id bigint NOT NULL, created {timestamp})"
        )
        cursor.executemany(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, %s)",
            [("a" * 40, head_a.pk, created), ("b" * 40, executive.pk, created)],
        )

    class SchemaEditor:
        """What the migration uses of Django's schema editor, usable inside the test's
        transaction (SQLite's own refuses to open in one)."""

        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.keep_existing_tokens_as_digests(apps, SchemaEditor())

    assert "authtoken_token" not in connection.introspection.table_names()
    assert _program("a" * 40).get("/api/people/me/").json()["username"] == head_a.username
    assert _program("b" * 40).get("/api/people/me/").status_code == 200
    assert "a" * 40 not in repr(stored())
    assert head_a.api_token.created == created


# --- Private answers are never cached -------------------------------------------------------


def _no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "path",
    ["/", "/departments/", "/account/token/", "/accountability/", "/roadmap/", "/metrics/"],
)
def test_signed_in_pages_are_not_stored_by_caches(client_for, executive, path):
    response = client_for(executive).get(path, follow=True)
    assert response.status_code == 200
    assert _no_store(response), response.get("Cache-Control")


def test_csv_downloads_are_not_stored_by_caches(client_for, executive):
    response = client_for(executive).get("/overview/scorecard.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert _no_store(response)


def test_api_answers_are_not_stored_by_caches(api_for, client_for, executive):
    assert _no_store(api_for(executive).get("/api/departments/"))
    assert _no_store(client_for(executive).get("/api/departments/"))
    # A refused key's 401 too: it answers a request that carried credentials.
    assert _no_store(_program("not-a-key").get("/api/departments/"))


# --- The calendar feed and carriage returns -------------------------------------------------


def test_a_lone_carriage_return_is_escaped_in_calendar_text():
    from accountability.ics import CalendarEvent, calendar_text, escape_text

    assert escape_text("one\rtwo\r\nthree\nfour") == "one\\ntwo\\nthree\\nfour"
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    text = calendar_text(
        [
            CalendarEvent(
                uid="meeting-1@example",
                start=start,
                end=start + timedelta(hours=1),
                summary="Weekly review\rBEGIN:VALARM",
                description="Agenda\r\rDESCRIPTION:forged",
                location="Room 1\r",
            )
        ],
        name="Accountability\rmeetings",
        now=start,
    )
    assert re.search("\r(?!\n)", text) is None, "a lone CR ends a content line early"
    lines = text.split("\r\n")
    assert "SUMMARY:Weekly review\\nBEGIN:VALARM" in lines
    assert not any(line.startswith(("BEGIN:VALARM", "DESCRIPTION:forged")) for line in lines)
