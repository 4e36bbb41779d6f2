"""Pages and API for every persona; query counts pinned on list pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.models import KPI, Breach, Rollup, SurveyResponse
from metrics.selectors import period_start_of
from metrics.services import breaches_detect, rollup_rebuild
from tests.conftest import stored
from tests.metrics.factories import KPIFactory, KPIObservationFactory, TouchpointFactory, responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def touchpoint(department_a):  # type: ignore[no-untyped-def]
    tp = TouchpointFactory(
        slug="call-centre", name="Call centre", department=department_a, nps_floor=0
    )
    last_month = period_start_of("month", timezone.localdate().replace(day=1) - timedelta(days=1))
    when = timezone.now().replace(year=last_month.year, month=last_month.month, day=10)
    responses(tp, "nps", [0] * 30 + [10] * 10 + [8] * 5, when)
    rollup_rebuild()
    return tp


def test_the_touchpoint_list_shows_owner_score_interval_and_n(client_for, executive, touchpoint):  # type: ignore[no-untyped-def]
    page = client_for(executive).get(reverse("metrics:touchpoint-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Call centre" in html and "Customer service" in html
    assert "-44 ±" in html and "n=45" in html
    assert "below floor" in html


def test_the_list_says_what_to_do_when_there_are_no_journeys(client_for, cco) -> None:  # type: ignore[no-untyped-def]
    page = client_for(cco).get(reverse("metrics:touchpoint-list"))
    assert "No journeys yet" in page.content.decode()


def test_list_query_count_does_not_grow_with_touch_points(  # type: ignore[no-untyped-def]
    client_for, cco, department_a, django_assert_num_queries
):
    client = client_for(cco)
    TouchpointFactory(department=department_a)
    client.get(reverse("metrics:touchpoint-list"))
    with django_assert_num_queries(7):
        client.get(reverse("metrics:touchpoint-list"))
    for _ in range(10):
        TouchpointFactory(department=department_a)
    with django_assert_num_queries(7):
        client.get(reverse("metrics:touchpoint-list"))


def test_the_detail_page_shows_trend_figure_breaches_and_verbatims(client_for, head_b, touchpoint):  # type: ignore[no-untyped-def]
    SurveyResponse.objects.filter(score=0).update(comment="Too slow")
    page = client_for(head_b).get(touchpoint.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-figure="trend-figure"' in html
    assert "Too slow" in html
    assert "below the floor" in html


def test_an_outsider_and_anonymous_visitor_are_refused(client, client_for, outsider, touchpoint):  # type: ignore[no-untyped-def]
    url = touchpoint.get_absolute_url()
    assert client.get(url).status_code == 302
    assert client_for(outsider).get(url).status_code == 403


def test_the_department_page_shows_the_scorecard_with_kpi_rag(
    client_for, head_a, department_a, touchpoint
):  # type: ignore[no-untyped-def]
    kpi = KPIFactory(department=department_a, name="First-contact resolution", goal=80)
    KPIObservationFactory(kpi=kpi, week_start=date(2025, 1, 6), value=70)
    html = client_for(head_a).get(department_a.get_absolute_url()).content.decode()
    assert "First-contact resolution" in html and "rag-red" in html
    assert "Call centre" in html
    scorecard = client_for(head_a).get(
        reverse("metrics:department-scorecard", args=[department_a.slug])
    )
    assert scorecard.status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("cco", 200),
        ("head_a", 200),
        ("head_b", 200),
        ("executive", 403),
        ("contributor", 403),
        ("outsider", 403),
    ],
)
def test_who_may_open_the_upload_page(request, client_for, persona, status) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("metrics:response-upload")).status_code == status


def test_uploading_a_bad_file_shows_the_report_and_saves_nothing(client_for, cco, touchpoint):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (
        b"external_id,touchpoint,metric,score,responded_at\n"
        b"x1,call-centre,nps,9,2025-01-01\nx2,nowhere,nps,9,2025-01-01\n"
    )
    before = SurveyResponse.objects.count()
    page = client_for(cco).post(
        reverse("metrics:response-upload"), {"file": SimpleUploadedFile("r.csv", body)}
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert "File rejected" in html and "unknown touch point" in html and "x2" in html
    assert SurveyResponse.objects.count() == before


@pytest.mark.parametrize(
    "rows",
    [
        b"x1,call-centre,nps,9,2025-01-01,Tr\xe8s bien\n",  # Latin-1 in a plain file
        b'x1,call-centre,nps,9,2025-01-01,"Tr\xe8s, bien"\n',  # in a file re-read by Python
    ],
)
def test_an_upload_that_is_not_utf8_is_named_as_such_and_saves_nothing(  # type: ignore[no-untyped-def]
    client_for, cco, touchpoint, rows
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"external_id,touchpoint,metric,score,responded_at,comment\n" + rows * 3
    before = SurveyResponse.objects.count()
    page = client_for(cco).post(
        reverse("metrics:response-upload"), {"file": SimpleUploadedFile("r.csv", body)}
    )
    assert page.status_code == 400  # nothing was stored
    assert "line 2: the byte 0xE8 is not UTF-8 text" in page.content.decode()
    assert SurveyResponse.objects.count() == before


def test_a_plain_upload_is_saved_and_summarised(client_for, cco, touchpoint):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = (
        b"external_id,touchpoint,metric,score,responded_at\n"
        b"u1,call-centre,nps,9,2025-01-01\nu2,call-centre,csat,4,2025-01-02T10:00Z\n"
    )
    page = client_for(cco).post(
        reverse("metrics:response-upload"), {"file": SimpleUploadedFile("r.csv", body)}
    )
    assert page.status_code == 200
    assert "2 row(s) read; 2 added." in page.content.decode()
    uploaded = SurveyResponse.objects.filter(source="upload")
    assert set(uploaded.values_list("external_id", "metric", "score")) == {
        ("u1", "nps", 9),
        ("u2", "csat", 4),
    }


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("cco", 200),
        ("head_a", 200),
        ("executive", 403),
        ("contributor", 403),
        ("outsider", 403),
        (None, 401),
    ],
)
def test_who_may_post_responses_to_the_api(request, api_for, touchpoint, persona, status):  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona) if persona else None
    api = api_for(user)
    before = stored()
    answer = api.post(
        "/api/responses/import/",
        [
            {
                "external_id": "api-1",
                "touchpoint": "call-centre",
                "metric": "nps",
                "score": 9,
                "responded_at": "2025-01-01",
            }
        ],
        format="json",
    )
    assert answer.status_code in ((status,) if status != 401 else (401, 403))
    if status == 200:
        saved = SurveyResponse.objects.get(external_id="api-1")
        assert (saved.touchpoint, saved.metric, saved.score) == (touchpoint, "nps", 9)
    else:
        assert stored() == before


def test_the_api_rejects_a_bad_batch_naming_item_and_field(api_for, cco, touchpoint) -> None:  # type: ignore[no-untyped-def]
    api = api_for(cco)
    before = stored()
    answer = api.post(
        "/api/responses/import/",
        [
            {
                "external_id": "a",
                "touchpoint": "call-centre",
                "metric": "csat",
                "score": 9,
                "responded_at": "2025-01-01",
            }
        ],
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0] == {
        "row": 1,
        "column": "score",
        "reason": "9 is outside the csat scale 1–5",
    }
    assert stored() == before


def test_rollups_and_scores_are_filterable_in_the_api(api_for, executive, touchpoint) -> None:  # type: ignore[no-untyped-def]
    api = api_for(executive)
    rows = api.get(
        "/api/rollups/", {"scope": "touchpoint", "grain": "month", "metric": "nps"}
    ).json()
    assert rows["count"] == 1 and rows["results"][0]["n"] == 45
    scores = api.get(
        "/api/scores/", {"metric": "nps", "scope": "organisation", "scope_id": 0, "grain": "month"}
    ).json()
    assert scores[0]["value"] == pytest.approx(-44.44, abs=0.01)
    assert api.get("/api/breaches/", {"touchpoint": touchpoint.pk}).json()["count"] >= 1


def test_a_head_cannot_add_a_kpi_to_another_department(api_for, head_b, department_a) -> None:  # type: ignore[no-untyped-def]
    api = api_for(head_b)
    before = stored()
    answer = api.post(
        "/api/kpis/", {"department": department_a.pk, "name": "x", "goal": 1, "direction": "higher"}
    )
    assert answer.status_code == 403
    assert stored() == before
    assert not KPI.objects.exists()


def test_breach_detection_twice_adds_no_second_breach_and_signals_once(
    touchpoint, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    from metrics.signals import breaches_detected

    received = []
    breaches_detected.connect(
        lambda **kw: received.append(kw["breach_ids"]), weak=False, dispatch_uid="t"
    )
    count = Breach.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert breaches_detect() == []
    assert Breach.objects.count() == count and received == []
    Breach.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        new = breaches_detect()
    assert new and received == [new]
    breaches_detected.disconnect(dispatch_uid="t")
    assert Rollup.objects.exists()
