"""Running a meeting (the CCO) and reading its minutes.

The live meeting page is driven by htmx: every form posts to a small endpoint that returns the
partial it changed. Errors come back as 400 (bad input) with the form re-rendered around the
person's own text; static/accountability/accountability.js lets htmx swap those responses in.
"""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accountability import selectors, services
from accountability.forms import (
    ActionItemCreateForm,
    AgendaItemAddForm,
    AgendaNotesForm,
    AttendanceForm,
    CloseMeetingForm,
    DecisionForm,
    people_who_can_own,
)
from accountability.models import AgendaItem, Attendance, CXIssue, Meeting, MeetingStatus
from accountability.views.common import is_htmx
from cco.access import get_for_user, require_perm
from cco.forms import add_service_errors
from cco.models import Department


@require_GET
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request.user, Meeting, pk=pk)
    return render(
        request,
        "accountability/minutes.html",
        {
            "minutes": selectors.meeting_minutes(meeting_id=meeting.pk),
            "may_run": request.user.has_perm("cco.run_meeting"),
        },
    )


def _run_meeting(request: HttpRequest, pk: int) -> Meeting:
    require_perm(request.user, "cco.run_meeting")
    return get_object_or_404(Meeting.objects.select_related("series", "series__chair"), pk=pk)


def _run_choices() -> dict[str, Any]:
    """What the inline forms of the run page offer: departments, owners, a default due date."""
    return {
        "departments": list(Department.objects.order_by("name")),
        "owners": list(people_who_can_own()),
        "default_due": timezone.localdate() + timedelta(days=14),
    }


def _agenda_item_context(request: HttpRequest, item: AgendaItem, **extra: Any) -> dict:
    sources = selectors.agenda_sources(items=[item])
    return {
        "agenda_item": item,
        "source": sources.get(item.kind, {}).get(item.source_id) if item.source_id else None,
        "meeting": item.meeting,
        "may_run": True,
        **_run_choices(),
        **extra,
    }


@require_GET
def meeting_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The live meeting: the CCO runs it; everyone else with a role reads it, without a form.

    The parking lot is not in the page: it comes as a partial when someone opens it, so a long
    agenda stays small.
    """
    meeting = get_for_user(
        request.user, Meeting.objects.select_related("series", "series__chair"), pk=pk
    )
    may_run = request.user.has_perm("cco.run_meeting")
    if meeting.status == MeetingStatus.CLOSED:
        return redirect("accountability:meeting-minutes", pk=meeting.pk)
    groups = selectors.agenda_groups(meeting=meeting)
    sections = [group for group in groups if not group.parked]
    parked = [item for group in groups if group.parked for item in group.items]
    active = [item for group in sections for item in group.items]
    return render(
        request,
        "accountability/meeting_run.html",
        {
            "meeting": meeting,
            "sections": sections,
            "parked_count": len(parked),
            "active_items": active,
            "sources": selectors.agenda_sources(items=active),
            "attendance": meeting.attendance.select_related("person", "person__department"),
            "decisions": meeting.decisions.select_related("recorded_by"),
            "new_actions": meeting.action_items.select_related("department", "owner_person"),
            "decision_form": DecisionForm(),
            "agenda_form": AgendaItemAddForm(),
            "close_form": CloseMeetingForm(initial={"summary": meeting.summary}),
            "discussed": sum(1 for item in active if item.discussed),
            "may_run": may_run,
            **(_run_choices() if may_run else {}),
        },
    )


@require_GET
def meeting_parking_lot(request: HttpRequest, pk: int) -> HttpResponse:
    """The parking lot of a meeting, loaded when someone opens it on the meeting page."""
    meeting = get_for_user(
        request.user, Meeting.objects.select_related("series", "series__chair"), pk=pk
    )
    may_run = request.user.has_perm("cco.run_meeting")
    parked = [
        item
        for group in selectors.agenda_groups(meeting=meeting)
        if group.parked
        for item in group.items
    ]
    return render(
        request,
        "accountability/_parking_lot.html",
        {
            "meeting": meeting,
            "parked": parked,
            "sources": selectors.agenda_sources(items=parked),
            "may_run": may_run and meeting.status != MeetingStatus.CLOSED,
        },
    )


@require_POST
def meeting_open(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _run_meeting(request, pk)
    try:
        services.meeting_open(meeting_id=meeting.pk, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accountability:meeting-run", pk=meeting.pk)


@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _run_meeting(request, pk)
    form = CloseMeetingForm(request.POST)
    form.is_valid()
    try:
        services.meeting_close(
            meeting_id=meeting.pk,
            actor=request.user,  # type: ignore[arg-type]
            summary=form.cleaned_data.get("summary", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accountability:meeting-run", pk=meeting.pk)
    messages.success(request, "Meeting closed. The minutes are on their way to the attendees.")
    response: HttpResponse = redirect("accountability:meeting-minutes", pk=meeting.pk)
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("accountability:meeting-minutes", args=[meeting.pk])
    return response


@require_POST
def meeting_attendance(request: HttpRequest, pk: int, person_id: int) -> HttpResponse:
    meeting = _run_meeting(request, pk)
    attendance = get_object_or_404(
        Attendance.objects.select_related("person"), meeting=meeting, person_id=person_id
    )
    form = AttendanceForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            attendance = services.attendance_mark(
                meeting_id=meeting.pk,
                actor=request.user,  # type: ignore[arg-type]
                person=attendance.person,
                present=form.cleaned_data["present"],
                rating=form.cleaned_data["rating"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = f"Rating for {attendance.person}: a whole number from 1 to 10."
    return render(
        request,
        "accountability/_attendance_row.html",
        {"row": attendance, "meeting": meeting, "error": error, "may_run": True},
        status=400 if error else 200,
    )


@require_POST
def agenda_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _run_meeting(request, pk)
    form = AgendaItemAddForm(request.POST)
    if form.is_valid():
        try:
            item = services.agenda_item_add(
                meeting_id=meeting.pk,
                actor=request.user,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                department=form.cleaned_data["department"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not is_htmx(request):
                return redirect("accountability:meeting-run", pk=meeting.pk)
            return render(
                request,
                "accountability/_agenda_item_added.html",
                _agenda_item_context(request, item),
            )
    return render(
        request,
        "accountability/_agenda_add_form.html",
        {"meeting": meeting, "agenda_form": form, "may_run": True, **_run_choices()},
        status=400,
    )


@require_POST
def agenda_item_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "cco.run_meeting")
    item = get_object_or_404(AgendaItem.objects.select_related("meeting", "department"), pk=pk)
    form = AgendaNotesForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            item = services.agenda_item_update(
                item_id=item.pk,
                actor=request.user,  # type: ignore[arg-type]
                discussed=form.cleaned_data["discussed"],
                notes=form.cleaned_data["notes"] if "notes" in request.POST else None,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if not is_htmx(request):
        return redirect("accountability:meeting-run", pk=item.meeting_id)
    return render(
        request,
        "accountability/_agenda_item.html",
        _agenda_item_context(request, item, error=error, saved=not error),
        status=400 if error else 200,
    )


@require_POST
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _run_meeting(request, pk)
    form = DecisionForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.decision_record(
                meeting_id=meeting.pk,
                actor=request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
                agenda_item_id=form.cleaned_data["agenda_item"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            form = DecisionForm()
    else:
        status = 400
    if not is_htmx(request):
        return redirect("accountability:meeting-run", pk=meeting.pk)
    return render(
        request,
        "accountability/_decisions.html",
        {
            "meeting": meeting,
            "decisions": meeting.decisions.select_related("recorded_by"),
            "decision_form": form,
            "may_run": True,
        },
        status=status,
    )


@require_POST
def meeting_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    """An action item agreed in the meeting: owner department, person and due date inline."""
    meeting = _run_meeting(request, pk)
    form = ActionItemCreateForm(request.POST)
    status = 200
    if form.is_valid():
        agenda_item = None
        if agenda_id := form.cleaned_data["agenda_item"]:
            agenda_item = meeting.agenda.filter(pk=agenda_id).first()
        subject = services.agenda_item_subject(agenda_item) if agenda_item else {}
        cx_issue = None
        if "cx_issue_id" in subject:
            cx_issue = CXIssue.objects.filter(pk=subject["cx_issue_id"]).first()
        try:
            services.action_item_create(
                actor=request.user,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                department=form.cleaned_data["department"],
                owner_person=form.cleaned_data["owner_person"],
                due=form.cleaned_data["due"],
                meeting=meeting,
                cx_issue=cx_issue,
                initiative_id=subject.get("initiative_id"),
                milestone_id=subject.get("milestone_id"),
                kpi_id=subject.get("kpi_id"),
                origin="meeting",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            form = ActionItemCreateForm()
    else:
        status = 400
    if not is_htmx(request):
        return redirect("accountability:meeting-run", pk=meeting.pk)
    return render(
        request,
        "accountability/_meeting_actions.html",
        {
            "meeting": meeting,
            "new_actions": meeting.action_items.select_related("department", "owner_person"),
            "action_form": form,
            "may_run": True,
        },
        status=status,
    )
