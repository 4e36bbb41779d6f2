"""Change notes ("You said, we did"): only a resolved CX issue or a delivered initiative
publishes one, by the CCO or the owning head; bad input names the field and saves nothing; an
edit carries the version read."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accountability.models import ChangeNote, CXIssue, CXIssueStatus
from accountability.models.notes import TEXT_MAX, TITLE_MAX
from accountability.services import notes as services
from cco.errors import VersionConflict
from metrics.models import Scope, Theme
from roadmap.models import Status
from tests.accountability.factories import CXIssueFactory
from tests.metrics.factories import TouchpointFactory
from tests.roadmap.factories import ExpectedResultFactory, InitiativeFactory

pytestmark = pytest.mark.django_db

TEXT = {"title": "Refunds in a day", "you_said": "A month is too long", "we_did": "One approval"}


@pytest.fixture
def touchpoint(department_b):
    return TouchpointFactory(department=department_b)


@pytest.fixture
def resolved_issue(department_b, touchpoint):
    return CXIssueFactory(
        department=department_b, touchpoint=touchpoint, status=CXIssueStatus.RESOLVED,
        root_cause="Three approvals", remediation_plan="One approval",
    )  # fmt: skip


@pytest.fixture
def delivered(department_b, touchpoint):
    return InitiativeFactory(department=department_b, status=Status.DONE, driver=touchpoint)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_the_owning_head_publishes_from_a_resolved_issue_on_its_touch_point(
    head_b, resolved_issue, touchpoint
):
    note = services.change_note_publish(actor=head_b, cx_issue_id=resolved_issue.pk, **TEXT)
    stored = ChangeNote.objects.get()
    assert (stored.pk, stored.cx_issue, stored.initiative, stored.published_by) == (
        note.pk,
        resolved_issue,
        None,
        head_b,
    )
    assert list(stored.touchpoints.all()) == [touchpoint]
    assert (stored.title, stored.you_said, stored.we_did) == tuple(TEXT.values())


@pytest.mark.parametrize("status", [CXIssueStatus.OPEN, CXIssueStatus.PLAN_AGREED])
def test_an_issue_not_yet_resolved_publishes_nothing(cco, department_b, touchpoint, status):
    issue = CXIssueFactory(
        department=department_b, touchpoint=touchpoint, status=status,
        root_cause="Known", remediation_plan="Agreed",
    )  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_publish(actor=cco, cx_issue_id=issue.pk, **TEXT)
    assert "resolved" in _errors(excinfo)["cx_issue"][0]
    assert not ChangeNote.objects.exists()


@pytest.mark.parametrize("status", [s for s in Status if s != Status.DONE])
def test_an_initiative_not_delivered_publishes_nothing(cco, department_b, touchpoint, status):
    initiative = InitiativeFactory(department=department_b, status=status, driver=touchpoint)
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_publish(actor=cco, initiative_id=initiative.pk, **TEXT)
    assert "delivered" in _errors(excinfo)["initiative"][0]
    assert not ChangeNote.objects.exists()


def test_a_delivered_initiative_answers_its_driver_and_its_expected_touch_points(
    cco, delivered, touchpoint, department_b
):
    other = TouchpointFactory(department=department_b)
    ExpectedResultFactory(initiative=delivered, scope=Scope.TOUCHPOINT, scope_id=other.pk)
    journey_id = other.stage.journey_id
    ExpectedResultFactory(initiative=delivered, scope=Scope.JOURNEY, scope_id=journey_id)
    note = services.change_note_publish(actor=cco, initiative_id=delivered.pk, **TEXT)
    assert set(note.touchpoints.all()) == {touchpoint, other}
    assert note.initiative == delivered and note.cx_issue is None


@pytest.mark.parametrize("persona", ["head_a", "executive", "contributor", "outsider"])
def test_only_the_cco_and_the_owning_head_publish(request, persona, resolved_issue, delivered):
    person = request.getfixturevalue(persona)
    for source in ({"cx_issue_id": resolved_issue.pk}, {"initiative_id": delivered.pk}):
        with pytest.raises(PermissionDenied):
            services.change_note_publish(actor=person, **source, **TEXT)
    assert not ChangeNote.objects.exists()


def test_the_cco_publishes_for_any_department(cco, delivered):
    services.change_note_publish(actor=cco, initiative_id=delivered.pk, **TEXT)
    assert ChangeNote.objects.get().published_by == cco


@pytest.mark.parametrize("both", [True, False])
def test_a_note_answers_exactly_one_source(cco, resolved_issue, delivered, both):
    sources = {"cx_issue_id": resolved_issue.pk, "initiative_id": delivered.pk} if both else {}
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_publish(actor=cco, **sources, **TEXT)
    assert "source" in _errors(excinfo)
    assert not ChangeNote.objects.exists()


@pytest.mark.parametrize("sources", [{}, {"both": True}])
def test_the_database_refuses_a_note_without_exactly_one_source(resolved_issue, delivered, sources):
    fields = {"cx_issue": resolved_issue, "initiative": delivered} if sources else {}
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeNote.objects.create(title="x", you_said="x", we_did="x", **fields)


def test_the_database_takes_a_note_with_one_source(resolved_issue):
    ChangeNote.objects.create(title="x", you_said="x", we_did="x", cx_issue=resolved_issue)
    assert ChangeNote.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "limit"),
    [("title", TITLE_MAX), ("you_said", TEXT_MAX), ("we_did", TEXT_MAX)],
)
def test_texts_are_short_to_the_character(cco, resolved_issue, field, limit):
    services.change_note_publish(
        actor=cco, cx_issue_id=resolved_issue.pk, **{**TEXT, field: "a" * limit}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_publish(
            actor=cco, cx_issue_id=resolved_issue.pk, **{**TEXT, field: "a" * (limit + 1)}
        )
    assert f"At most {limit} characters" in _errors(excinfo)[field][0]
    assert ChangeNote.objects.count() == 1


@pytest.mark.parametrize("field", ["title", "you_said", "we_did"])
def test_an_empty_text_is_refused_naming_it(cco, resolved_issue, field):
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_publish(
            actor=cco, cx_issue_id=resolved_issue.pk, **{**TEXT, field: "  "}
        )
    assert field in _errors(excinfo)
    assert not ChangeNote.objects.exists()


def test_a_note_names_at_least_one_touch_point(cco, resolved_issue, department_b):
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_publish(
            actor=cco, cx_issue_id=resolved_issue.pk, touchpoint_ids=[], **TEXT
        )
    assert "at least one touch point" in _errors(excinfo)["touchpoints"][0]
    # An issue raised by hand without a touch point has none to default to.
    bare = CXIssueFactory(
        department=department_b, status=CXIssueStatus.RESOLVED, root_cause="a", remediation_plan="b"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_publish(actor=cco, cx_issue_id=bare.pk, **TEXT)
    assert "touchpoints" in _errors(excinfo)
    assert not ChangeNote.objects.exists()


def test_unknown_touch_points_and_themes_are_named_and_nothing_is_saved(cco, resolved_issue):
    theme = Theme.objects.create(name="Refunds")
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_publish(
            actor=cco, cx_issue_id=resolved_issue.pk, touchpoint_ids=["9999"],
            theme_ids=[theme.pk, 8888], **TEXT,
        )  # fmt: skip
    errors = _errors(excinfo)
    assert errors["touchpoints"] == ["No touch point 9999."]
    assert errors["themes"] == ["No theme 8888."]
    assert not ChangeNote.objects.exists()


def test_themes_are_optional_and_kept(cco, resolved_issue):
    theme = Theme.objects.create(name="Refunds")
    note = services.change_note_publish(
        actor=cco, cx_issue_id=resolved_issue.pk, theme_ids=[theme.pk], **TEXT
    )
    assert list(note.themes.all()) == [theme]


def _published(actor, issue):
    return services.change_note_publish(actor=actor, cx_issue_id=issue.pk, **TEXT)


def test_an_edit_carries_the_version_read_and_a_stale_one_changes_nothing(
    head_b, cco, resolved_issue, touchpoint
):
    note = _published(head_b, resolved_issue)
    edit = {**TEXT, "touchpoint_ids": [touchpoint.pk]}
    saved = services.change_note_edit(
        actor=cco, note_id=note.pk, expected_version=1, **{**edit, "we_did": "Same-day refunds"}
    )
    assert (saved.version, saved.we_did) == (2, "Same-day refunds")
    with pytest.raises(VersionConflict):
        services.change_note_edit(
            actor=head_b, note_id=note.pk, expected_version=1, **{**edit, "we_did": "Stale"}
        )
    assert ChangeNote.objects.get().we_did == "Same-day refunds"


def test_an_edit_is_checked_like_publishing(head_b, resolved_issue):
    note = _published(head_b, resolved_issue)
    with pytest.raises(ValidationError) as excinfo:
        services.change_note_edit(
            actor=head_b, note_id=note.pk, expected_version=1, touchpoint_ids=[], **TEXT
        )
    assert "touchpoints" in _errors(excinfo)
    assert ChangeNote.objects.get().touchpoints.count() == 1


@pytest.mark.parametrize("persona", ["head_a", "executive", "contributor"])
def test_only_the_cco_and_the_owning_head_edit_or_withdraw(
    request, persona, head_b, resolved_issue, touchpoint
):
    note = _published(head_b, resolved_issue)
    person = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.change_note_edit(
            actor=person, note_id=note.pk, expected_version=1,
            touchpoint_ids=[touchpoint.pk], **{**TEXT, "title": "Taken over"},
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.change_note_withdraw(actor=person, note_id=note.pk, expected_version=1)
    assert ChangeNote.objects.get().title == TEXT["title"]


def test_withdrawing_removes_the_note_and_keeps_the_issue(head_b, resolved_issue):
    note = _published(head_b, resolved_issue)
    with pytest.raises(VersionConflict):
        services.change_note_withdraw(actor=head_b, note_id=note.pk, expected_version=2)
    assert ChangeNote.objects.exists()
    services.change_note_withdraw(actor=head_b, note_id=note.pk, expected_version=1)
    assert not ChangeNote.objects.exists()
    assert CXIssue.objects.filter(pk=resolved_issue.pk).exists()
