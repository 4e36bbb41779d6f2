"""Themes in the verbatims: matching at its boundaries, the taxonomy's rules, ingest and
re-application, figures, search, pages, API and permissions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import stats
from metrics.models import Metric, ResponseTheme, SurveyResponse, Theme, ThemeWatermark
from metrics.selectors.themes import theme_figures, verbatim_search
from metrics.services.ingest import response_import
from metrics.services.themes import taxonomy_save, themes_apply, themes_reapply
from metrics.themes import (
    MAX_NAME_CHARS,
    MAX_PHRASE_CHARS,
    MAX_PHRASES,
    MAX_THEMES,
    TaxonomyError,
    compile_taxonomy,
    parse_taxonomy,
    themes_in,
)
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory


def match(text: str, *phrases: str) -> bool:
    return bool(themes_in(text, compile_taxonomy({1: phrases})))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I had to wait.", True),
        ("WAIT", True),
        ("(wait)", True),
        ("wait,then", True),
        ("waiting for ages", False),
        ("await the reply", False),
        ("wait_list", False),
        ("wait2", False),
        ("", False),
    ],
)
def test_a_phrase_matches_whole_words_only(text, found):
    assert match(text, "wait") is found


def test_a_phrase_of_several_words_matches_across_any_white_space_and_case():
    assert match("The  HOLD\ntime was long", "hold time")
    assert not match("hold the time", "hold time")
    assert not match("household time", "hold time")


def test_accents_are_ignored_both_ways():
    assert match("Le délai était long", "delai")
    assert match("le delai", "délai")
    assert not match("delais", "délai")


def test_regex_characters_in_a_phrase_are_literal():
    assert match("charged 9.99 twice", "9.99")
    assert not match("charged 9x99", "9.99")
    assert match("the c++ app", "c++")


def test_the_taxonomy_text_is_trimmed_and_repeated_phrases_kept_once():
    assert parse_taxonomy("  Waiting :  queue ,  wait, Wait , ,\n\nBilling: invoice") == [
        ("Waiting", ["queue", "wait"]),
        ("Billing", ["invoice"]),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Waiting queue", "Line 1: write the theme, a colon"),
        (": queue", "Line 1: the theme has no name"),
        ("Waiting: , ,", "Line 1: “Waiting” has no phrase"),
        ("Waiting: queue\nwaiting: hold", "Line 2: “waiting” is already used on line 1"),
        ("W" * (MAX_NAME_CHARS + 1) + ": x", f"over {MAX_NAME_CHARS} characters"),
        ("W: " + "x" * (MAX_PHRASE_CHARS + 1), f"over {MAX_PHRASE_CHARS} characters"),
        ("W: " + ",".join(f"p{i}" for i in range(MAX_PHRASES + 1)), "over 30 phrases"),
        ("\n".join(f"T{i}: p" for i in range(MAX_THEMES + 1)), f"At most {MAX_THEMES} themes"),
    ],
)
def test_a_bad_taxonomy_names_the_line_and_reason(text, reason):
    with pytest.raises(TaxonomyError) as raised:
        parse_taxonomy(text)
    assert any(reason in error for error in raised.value.errors)


def test_the_caps_themselves_are_allowed():
    assert len(parse_taxonomy("W" * MAX_NAME_CHARS + ": " + "x" * MAX_PHRASE_CHARS)) == 1
    assert len(parse_taxonomy("W: " + ",".join(f"p{i}" for i in range(MAX_PHRASES)))) == 1
    assert len(parse_taxonomy("\n".join(f"T{i}: p" for i in range(MAX_THEMES)))) == MAX_THEMES


@pytest.mark.django_db
def test_a_bad_taxonomy_saves_nothing():
    taxonomy_save("Waiting: queue")
    with pytest.raises(TaxonomyError):
        taxonomy_save("Billing: invoice\nbroken line")
    assert list(Theme.objects.values_list("name", "phrases")) == [("Waiting", ["queue"])]


@pytest.mark.django_db
def test_ingest_links_new_responses_and_a_taxonomy_change_relinks_all(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        taxonomy_save("Waiting: queue, wait\nBilling: invoice")
    touchpoint = TouchpointFactory()
    with django_capture_on_commit_callbacks(execute=True):
        report = response_import(rows=enumerate([
            {"touchpoint": touchpoint.slug, "metric": "nps", "score": "3",
             "responded_at": "2026-11-02T10:00:00Z", "external_id": "a", "comment": "Long wait"},
            {"touchpoint": touchpoint.slug, "metric": "nps", "score": "9",
             "responded_at": "2026-11-02T10:00:00Z", "external_id": "b",
             "comment": "Invoice was clear, no queue"},
            {"touchpoint": touchpoint.slug, "metric": "nps", "score": "9",
             "responded_at": "2026-11-02T10:00:00Z", "external_id": "c", "comment": ""},
        ], start=1))  # fmt: skip
    assert report.inserted == 3
    links = set(ResponseTheme.objects.values_list("response__external_id", "theme__name"))
    assert links == {("a", "Waiting"), ("b", "Billing"), ("b", "Waiting")}
    assert ThemeWatermark.objects.get().last_response_id == SurveyResponse.objects.latest("pk").pk
    # A second run finds nothing new.
    assert themes_apply() == 0
    # The tasks run eagerly in tests: saving the taxonomy re-reads every response.
    with django_capture_on_commit_callbacks(execute=True):
        taxonomy_save("Billing: invoice, clear")
    links = set(ResponseTheme.objects.values_list("response__external_id", "theme__name"))
    assert links == {("b", "Billing")}


def _nps(touchpoint, scores, comment, when):
    for score in scores:
        SurveyResponseFactory(
            touchpoint=touchpoint, metric=Metric.NPS, score=score, comment=comment,
            responded_at=when,
        )  # fmt: skip


@pytest.mark.django_db
def test_theme_figures_split_nps_by_mention_with_intervals_and_months():
    taxonomy_save("Waiting: wait")
    touchpoint, other = TouchpointFactory(), TouchpointFactory()
    now = timezone.now()
    _nps(touchpoint, [0] * 20 + [9] * 10, "too long a wait", now)  # 30 mentioning
    _nps(touchpoint, [10] * 25 + [3] * 5, "fine", now)  # 30 not mentioning
    _nps(touchpoint, [0] * 4, "wait", now - timedelta(days=100))  # outside 90 days
    _nps(other, [0] * 7, "wait", now)  # another touch point
    themes_reapply()
    [figure] = theme_figures(touchpoint_id=touchpoint.pk, days=90)
    assert figure.mentions == 30
    assert figure.nps_with == stats.nps(10, 0, 20)
    assert figure.nps_without == stats.nps(25, 0, 5)
    assert figure.detractor_share == stats.proportion(20, 25)
    assert figure.comparable
    assert figure.months == [(timezone.localdate().replace(day=1), 30)]
    [everywhere] = theme_figures(days=90)
    assert everywhere.mentions == 37
    [year] = theme_figures(touchpoint_id=touchpoint.pk, days=365)
    assert year.mentions == 34 and len(year.months) in (1, 2, 3, 4, 5)


@pytest.mark.django_db
def test_under_the_minimum_n_the_comparison_is_not_made():
    taxonomy_save("Waiting: wait")
    touchpoint = TouchpointFactory()
    now = timezone.now()
    _nps(touchpoint, [0] * (stats.MIN_RESPONSES - 1), "wait", now)
    _nps(touchpoint, [10] * 40, "fine", now)
    themes_reapply()
    [figure] = theme_figures(touchpoint_id=touchpoint.pk)
    assert not figure.nps_with.enough and figure.nps_without.enough
    assert not figure.comparable
    SurveyResponseFactory(touchpoint=touchpoint, score=0, comment="wait", responded_at=now)
    themes_apply()
    [figure] = theme_figures(touchpoint_id=touchpoint.pk)
    assert figure.comparable


def _search_world():
    touchpoint = TouchpointFactory()
    for comment in ["Long wait on the phone", "Waiting forever", "The invoice was wrong", ""]:
        SurveyResponseFactory(touchpoint=touchpoint, comment=comment)
    return touchpoint


@pytest.mark.django_db
def test_search_follows_the_databases_rule(settings):
    """PostgreSQL matches whole words (full-text search); SQLite's fallback matches substrings.
    Both runs take this test, so neither skips it."""
    _search_world()
    found = {r.comment for r in verbatim_search("WAIT")}
    if settings.IS_POSTGRES:
        assert found == {"Long wait on the phone"}
    else:
        assert found == {"Long wait on the phone", "Waiting forever"}
    assert list(verbatim_search("   ")) == []


@pytest.mark.django_db
@pytest.mark.postgres
def test_search_on_postgres_is_full_text():
    touchpoint = _search_world()
    assert [r.comment for r in verbatim_search("WAIT")] == ["Long wait on the phone"]
    assert [r.comment for r in verbatim_search('"wait on the"')] == ["Long wait on the phone"]
    assert [r.comment for r in verbatim_search("wait -phone")] == []
    assert list(verbatim_search("wait", touchpoint_id=touchpoint.pk + 1000)) == []


@pytest.mark.django_db
def test_pages_show_figures_and_search(client_for, contributor, cco):
    taxonomy_save("Waiting: wait")
    touchpoint = TouchpointFactory()
    SurveyResponseFactory(touchpoint=touchpoint, score=2, comment="a wait")
    themes_apply()
    page = client_for(contributor).get(reverse("metrics:themes"), {"q": "wait"})
    assert page.status_code == 200
    assert b"a wait" in page.content and b"Waiting" in page.content
    assert b"Edit the theme taxonomy" not in page.content
    detail = client_for(contributor).get(
        reverse("metrics:touchpoint-detail", args=[touchpoint.slug])
    )
    assert b"Themes here" in detail.content and b"Waiting" in detail.content


PERSONAS = ["anonymous", "outsider", "contributor", "head_a", "head_b", "executive", "cco"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_cco_changes_the_taxonomy(persona, request, client):
    taxonomy_save("Waiting: wait")
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    answer = client.post(reverse("metrics:theme-taxonomy"), {"taxonomy": "Billing: invoice"})
    names = list(Theme.objects.values_list("name", flat=True))
    if persona == "cco":
        assert answer.status_code == 302 and names == ["Billing"]
    else:
        assert answer.status_code in (302, 403) and names == ["Waiting"]
        if answer.status_code == 302:
            assert "/login" in answer["Location"] or "login" in answer["Location"]


@pytest.mark.django_db
def test_a_bad_taxonomy_post_answers_400_naming_the_line(client_for, cco):
    taxonomy_save("Waiting: wait")
    answer = client_for(cco).post(reverse("metrics:theme-taxonomy"), {"taxonomy": "A: x\na: y"})
    assert answer.status_code == 400
    assert "Line 2: “a” is already used on line 1" in answer.content.decode()
    assert list(Theme.objects.values_list("name", flat=True)) == ["Waiting"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_answers_everyone_with_a_role(persona, request, api_for):
    taxonomy_save("Waiting: wait")
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    answer = api_for(user).get("/api/themes/")
    if persona in ("anonymous", "outsider"):
        assert answer.status_code in (401, 403)
    else:
        assert answer.status_code == 200
        assert answer.json()["themes"][0]["theme"] == "Waiting"


@pytest.mark.django_db
def test_the_api_refuses_a_bad_period_or_touchpoint(api_for, cco):
    api = api_for(cco)
    assert api.get("/api/themes/", {"period": "7"}).json() == {
        "period": ["Choose one of 90, 180, 365."]
    }
    answer = api.get("/api/themes/", {"touchpoint": "nope"})
    assert answer.status_code == 400 and "touchpoint" in answer.json()


@pytest.mark.django_db
def test_a_taxonomy_change_whose_job_was_not_queued_is_caught_up_by_the_next_run():
    touchpoint = TouchpointFactory()
    SurveyResponseFactory(touchpoint=touchpoint, comment="the invoice")
    themes_apply()
    taxonomy_save("Billing: invoice")  # outside a captured commit: the job never runs
    assert ThemeWatermark.objects.get().taxonomy_changed
    assert not ResponseTheme.objects.exists()
    assert themes_apply() == 1
    assert not ThemeWatermark.objects.get().taxonomy_changed
    assert themes_apply() == 0


@pytest.mark.django_db
def test_the_demo_taxonomy_reads_every_demo_verbatim():
    from metrics.demo import VERBATIMS
    from metrics.theme_demo import seed_themes

    touchpoint = TouchpointFactory()
    comments = [c for group in VERBATIMS.values() for c in group]
    for comment in comments:
        SurveyResponseFactory(touchpoint=touchpoint, comment=comment)
    assert seed_themes() == 6
    linked = set(ResponseTheme.objects.values_list("response__comment", flat=True))
    assert linked == set(comments)
    assert seed_themes() == 6 and Theme.objects.count() == 6  # a second run changes nothing
