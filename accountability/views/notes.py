""" "You said, we did": the notes by journey, publishing one from a resolved CX issue or a
delivered initiative, and one note with its edit and withdraw forms."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accountability import note_selectors as selectors
from accountability.models import ChangeNote, CXIssue, CXIssueStatus
from accountability.models.notes import TITLE_MAX
from accountability.note_forms import ChangeNoteEditForm, ChangeNoteForm, WithdrawForm
from accountability.services import notes as services
from cco.access import get_for_user, person_with_role, require_perm
from cco.errors import VersionConflict
from cco.forms import add_service_errors
from metrics.models import Journey
from roadmap.models import Initiative


@require_GET
def change_note_list(request: HttpRequest) -> HttpResponse:
    person_with_role(request)
    journeys = list(Journey.objects.all())
    journey = next((j for j in journeys if j.slug == request.GET.get("journey")), None)
    period = selectors.Period.parse(request.GET.get("period", ""))
    return render(
        request,
        "accountability/change_notes.html",
        {
            "groups": selectors.notes_by_journey(
                journey_id=journey.pk if journey else None, period=period
            ),
            "journeys": journeys,
            "journey": journey,
            "periods": selectors.note_periods(),
            "period": period,
        },
    )


def change_notes_of(request: HttpRequest, issue: CXIssue) -> dict[str, object]:
    """The issue page's notes, and the publish form once it is resolved for those who may."""
    may_publish = issue.status == CXIssueStatus.RESOLVED and request.user.has_perm(
        "cco.change_owned", issue
    )
    return {
        "change_notes": list(selectors.change_notes().filter(cx_issue=issue)),
        "note_form": _publish_form(issue) if may_publish else None,
    }


def _publish_form(source: CXIssue | Initiative) -> ChangeNoteForm:
    return ChangeNoteForm(
        initial={
            "title": source.title[:TITLE_MAX],
            "touchpoints": services.default_touchpoint_ids(source),
        }
    )


@require_http_methods(["GET", "POST"])
def change_note_from_issue(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_for_user(request.user, CXIssue, "cco.change_owned", pk=pk)
    return _publish(request, issue, {"cx_issue_id": issue.pk})


@require_http_methods(["GET", "POST"])
def change_note_from_initiative(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(request.user, Initiative, "cco.change_owned", pk=pk)
    return _publish(request, initiative, {"initiative_id": initiative.pk})


def _publish(
    request: HttpRequest, source: CXIssue | Initiative, source_id: dict[str, Any]
) -> HttpResponse:
    """The form, prefilled with the source's touch points; 400 naming the field on bad input
    (an unfinished source included), nothing saved."""
    problem = ""
    if request.method == "POST":
        form = ChangeNoteForm(request.POST)
        if form.is_valid():
            try:
                note = services.change_note_publish(
                    actor=request.user,  # type: ignore[arg-type]
                    **source_id,
                    **form.service_fields(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Change note published.")
                return redirect(note)
    else:
        form = _publish_form(source)
        try:
            services.change_note_source(**source_id)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    return render(
        request,
        "accountability/change_note_form.html",
        {"form": form, "source": source, "problem": problem},
        status=400 if request.method == "POST" else 200,
    )


def _note_page(
    request: HttpRequest, note: ChangeNote, *, form: ChangeNoteEditForm | None = None,
    conflict: VersionConflict | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    may_change = request.user.has_perm("cco.change_owned", note)
    if form is None and may_change:
        form = ChangeNoteEditForm(
            initial={
                "title": note.title,
                "you_said": note.you_said,
                "we_did": note.we_did,
                "touchpoints": list(note.touchpoints.all()),
                "themes": list(note.themes.all()),
                "version": note.version,
            }
        )
    return render(
        request,
        "accountability/change_note_detail.html",
        {"note": note, "form": form, "conflict": conflict, "may_change": may_change},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def change_note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone reads the note; the CCO and the owning head edit it with the version read."""
    person_with_role(request)
    note = get_object_or_404(selectors.change_notes(), pk=pk)
    if request.method == "GET":
        return _note_page(request, note)
    require_perm(request.user, "cco.change_owned", note)
    form = ChangeNoteEditForm(request.POST)
    if not form.is_valid():
        return _note_page(request, note, form=form, status=400)
    try:
        services.change_note_edit(
            actor=request.user,  # type: ignore[arg-type]
            note_id=note.pk,
            expected_version=form.cleaned_data["version"],
            **form.service_fields(),
        )
    except VersionConflict as conflict:
        current = selectors.change_notes().get(pk=note.pk)
        return _note_page(request, current, conflict=conflict, status=409)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _note_page(request, note, form=form, status=400)
    messages.success(request, "Change note saved.")
    return redirect(note)


@require_POST
def change_note_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    person_with_role(request)
    note = get_object_or_404(selectors.change_notes(), pk=pk)
    require_perm(request.user, "cco.change_owned", note)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _note_page(request, note, status=400)
    try:
        services.change_note_withdraw(
            actor=request.user,  # type: ignore[arg-type]
            note_id=note.pk,
            expected_version=form.cleaned_data["version"],
        )
    except VersionConflict as conflict:
        current = selectors.change_notes().get(pk=note.pk)
        return _note_page(request, current, conflict=conflict, status=409)
    messages.success(request, "Change note withdrawn.")
    return redirect("accountability:change-notes")
