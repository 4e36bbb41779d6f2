"""Accountability pages: thin views over selectors and services.

The live meeting page is driven by htmx: every form posts to a small endpoint that returns the
partial it changed. Errors come back as 400 (bad input) or 409 (someone else saved first) with
the form re-rendered around the person's own text; static/accountability/accountability.js lets
htmx swap those responses in.
"""

from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import Form, ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accountability import charts, ics, selectors, services
from accountability.forms import (
    ActionItemCreateForm,
    ActionItemUpdateForm,
    AgendaItemAddForm,
    AgendaNotesForm,
    AttendanceForm,
    CloseMeetingForm,
    CXIssueRaiseForm,
    CXIssueUpdateForm,
    DecisionForm,
    MeetingSeriesForm,
    people_who_can_own,
)
from accountability.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    CalendarFeed,
    CXIssue,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from cco.access import get_for_user, require_perm
from cco.forms import add_service_errors
from cco.models import Department, Role


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _rebase(form_class: type[Form], request: HttpRequest, version: int) -> Form:
    """The person's own input again, now based on the current version: after reading the
    other change they can save without retyping."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data)
    form.is_valid()
    return form


def _departments_for(user: Any) -> Any:
    """Departments the person may create action items in."""
    if user.is_cco:
        return Department.objects.order_by("name")
    if user.is_department_head and user.department_id:
        return Department.objects.filter(pk=user.department_id)
    return Department.objects.none()


# --- Landing, my department, scorecard ---------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """CCO and executives: series, upcoming meetings, scorecard. Others also see their work."""
    require_perm(request.user, "cco.view_product")
    user: Any = request.user
    rows = selectors.scorecard()
    return render(
        request,
        "accountability/index.html",
        {
            "series_list": list(selectors.series_list()),
            "upcoming": selectors.upcoming_meetings(person=user, limit=5),
            "scorecard": rows,
            "open_issues": list(selectors.open_cx_issues()[:10]),
            "open_issue_count": selectors.open_cx_issues().count(),
            "my_items": list(selectors.person_open_action_items(person=user)[:10])
            if user.role in (Role.DEPARTMENT_HEAD, Role.CONTRIBUTOR)
            else [],
            "may_run": user.has_perm("cco.run_meeting"),
            "today": timezone.localdate(),
            "my_work": selectors.department_work(department=user.department)
            if user.role == Role.DEPARTMENT_HEAD and user.department_id
            else None,
        },
    )


@require_GET
def my_department(request: HttpRequest) -> HttpResponse:
    """A department head's open action items and CX issues, due soonest first; a contributor's
    own items. The CCO and executives may look at any department with ?department=<slug>."""
    require_perm(request.user, "cco.view_product")
    user: Any = request.user
    slug = request.GET.get("department")
    if slug:
        department = get_object_or_404(Department, slug=slug)
    elif user.department_id:
        department = user.department
    else:
        messages.info(request, "You are not in a department; here is the whole programme.")
        return redirect("accountability:home")
    work = selectors.department_work(department=department)
    create_form = ActionItemCreateForm(
        departments=Department.objects.filter(pk=department.pk),
        initial={"department": department, "due": timezone.localdate() + timedelta(14)},
    )
    owners = people_who_can_own().filter(
        Q(department=department) | Q(headed_departments=department)
    )
    owner_field = cast(ModelChoiceField, create_form.fields["owner_person"])
    owner_field.queryset = owners.distinct()
    mine = [item for item in work.action_items if item.owner_person_id == user.pk]
    shown = mine if user.role == Role.CONTRIBUTOR and not slug else work.action_items
    for item in shown:
        item.may_update = user.has_perm("cco.update_action_item", item)  # type: ignore[attr-defined]
        item.update_form = ActionItemUpdateForm(  # type: ignore[attr-defined]
            initial={"status": item.status, "due": item.due, "version": item.version},
            auto_id=f"id_action{item.pk}_%s",
        )
    return render(
        request,
        "accountability/my_department.html",
        {
            "department": department,
            "work": work,
            "items": shown,
            "mine_only": shown is mine and user.role == Role.CONTRIBUTOR,
            "may_create": user.has_perm("cco.change_owned", department),
            "create_form": create_form,
            "today": timezone.localdate(),
        },
    )


@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.view_product")
    rows = selectors.scorecard()
    return render(
        request,
        "accountability/scorecard.html",
        {
            "rows": rows,
            "figure": charts.on_time_figure(rows),
            "window_days": selectors.SCORECARD_WINDOW_DAYS,
        },
    )


# --- Action items ------------------------------------------------------------------------


def _action_item_context(request: HttpRequest, item: ActionItem, form: Any = None) -> dict:
    user: Any = request.user
    return {
        "item": item,
        "form": form
        or ActionItemUpdateForm(
            initial={"status": item.status, "due": item.due, "version": item.version}
        ),
        "may_update": user.has_perm("cco.update_action_item", item),
        "today": timezone.localdate(),
    }


@require_http_methods(["GET", "POST"])
def action_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An action item with its history; the owner updates status, due date and progress."""
    item = get_for_user(request.user, selectors.action_items(), pk=pk)
    if request.method == "GET":
        context = _action_item_context(request, item)
        context["history"] = selectors.action_item_history(item=item)
        return render(request, "accountability/action_item_detail.html", context)

    require_perm(request.user, "cco.update_action_item", item)
    form: Form | None = ActionItemUpdateForm(request.POST)
    status = 200
    conflict = None
    if form is not None and form.is_valid():
        try:
            item = services.action_item_update(
                item_id=item.pk,
                actor=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                due=form.cleaned_data["due"],
            )
        except services.Conflict as exc:
            conflict, status = exc, 409
            item = selectors.action_items().get(pk=item.pk)
            form = _rebase(ActionItemUpdateForm, request, exc.current_version)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            if not _is_htmx(request):
                messages.success(request, f"Saved “{item.title}”.")
                return redirect(item.get_absolute_url())
            form = None
    else:
        status = 400
    context = _action_item_context(request, item, form)
    context["conflict"] = conflict
    context["saved"] = status == 200
    if _is_htmx(request):
        return render(request, "accountability/_action_item_card.html", context, status=status)
    context["history"] = selectors.action_item_history(item=item)
    return render(request, "accountability/action_item_detail.html", context, status=status)


@require_POST
def action_item_create(request: HttpRequest) -> HttpResponse:
    """Create an action item from the My department page (CCO, or the department's head)."""
    require_perm(request.user, "cco.create_in_department")
    form = ActionItemCreateForm(request.POST, departments=_departments_for(request.user))
    if form.is_valid():
        department = form.cleaned_data["department"]
        require_perm(request.user, "cco.change_owned", department)
        try:
            item = services.action_item_create(
                actor=request.user,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                department=department,
                owner_person=form.cleaned_data["owner_person"],
                due=form.cleaned_data["due"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added “{item.title}” for {department}.")
            return redirect(
                f"{reverse('accountability:my-department')}?department={department.slug}"
            )
    return render(request, "accountability/action_item_new.html", {"create_form": form}, status=400)


# --- CX issues ---------------------------------------------------------------------------


@require_GET
def issue_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.view_product")
    show = request.GET.get("show", "open")
    issues = selectors.cx_issues().order_by("-raised_at")
    if show != "all":
        issues = selectors.open_cx_issues()
    return render(
        request,
        "accountability/issue_list.html",
        {
            "issues": list(issues[:200]),
            "show": show,
            "may_raise": request.user.has_perm("cco.manage_product"),
        },
    )


@require_http_methods(["GET", "POST"])
def issue_new(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    form = CXIssueRaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.cx_issue_raise(
                actor=request.user,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                department=form.cleaned_data["department"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Raised against {issue.department}.")
            return redirect(issue)
    status = 400 if request.method == "POST" else 200
    return render(request, "accountability/issue_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_for_user(request.user, selectors.cx_issues(), pk=pk)
    form: Form = CXIssueUpdateForm(
        initial={
            "status": issue.status,
            "root_cause": issue.root_cause,
            "remediation_plan": issue.remediation_plan,
            "version": issue.version,
        }
    )
    conflict = None
    status = 200
    if request.method == "POST":
        require_perm(request.user, "cco.change_owned", issue)
        form = CXIssueUpdateForm(request.POST)
        if form.is_valid():
            try:
                issue = services.cx_issue_update(
                    issue_id=issue.pk,
                    actor=request.user,  # type: ignore[arg-type]
                    expected_version=form.cleaned_data["version"],
                    status=form.cleaned_data["status"],
                    root_cause=form.cleaned_data["root_cause"],
                    remediation_plan=form.cleaned_data["remediation_plan"],
                    note=form.cleaned_data["note"],
                )
            except services.Conflict as exc:
                conflict, status = exc, 409
                issue = selectors.cx_issues().get(pk=issue.pk)
                form = _rebase(CXIssueUpdateForm, request, exc.current_version)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, "Saved.")
                return redirect(issue)
        else:
            status = 400
    return render(
        request,
        "accountability/issue_detail.html",
        {
            "issue": issue,
            "form": form,
            "conflict": conflict,
            "history": selectors.cx_issue_history(issue=issue),
            "actions": issue.action_items.select_related("department", "owner_person"),
            "may_change": request.user.has_perm("cco.change_owned", issue),
        },
        status=status,
    )


# --- Series, minutes, calendar -----------------------------------------------------------


@require_GET
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_for_user(request.user, MeetingSeries.objects.select_related("chair"), pk=pk)
    history = selectors.series_history(series=series)
    return render(
        request,
        "accountability/series_detail.html",
        {
            "series": series,
            "history": history,
            "attendees": series.attendees.select_related("department").order_by("last_name"),
            "upcoming": series.meetings.exclude(status=MeetingStatus.CLOSED).order_by(
                "scheduled_at"
            ),
            "figure": charts.series_figure(history),
            "may_run": request.user.has_perm("cco.run_meeting"),
        },
    )


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


@require_http_methods(["GET", "POST"])
def calendar_subscribe(request: HttpRequest) -> HttpResponse:
    """Shows the person's secret feed address; POST makes a new one (the old stops working)."""
    require_perm(request.user, "cco.view_product")
    feed = services.calendar_feed_issue(
        person=request.user,  # type: ignore[arg-type]
        reset=request.method == "POST",
    )
    if request.method == "POST":
        messages.success(request, "A new calendar address was made; the old one no longer works.")
        return redirect("accountability:calendar")
    return render(
        request,
        "accountability/calendar.html",
        {"feed_url": request.build_absolute_uri(feed.get_absolute_url())},
    )


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed calendar apps poll: authenticated by the secret token in its address."""
    feed = CalendarFeed.objects.select_related("person").filter(token=token).first()
    if feed is None or not feed.person.has_perm("cco.view_product"):
        raise Http404("No such calendar.")
    meetings = selectors.upcoming_meetings(person=feed.person, limit=None)
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "cco-dashboard"
    events = []
    for meeting in meetings:
        link = f"{settings.SITE_URL}{reverse('accountability:meeting-minutes', args=[meeting.pk])}"
        events.append(
            ics.CalendarEvent(
                uid=f"meeting-{meeting.pk}@{host}",
                start=meeting.scheduled_at,
                end=meeting.ends_at,
                summary=meeting.series.name,
                description=f"Chaired by {meeting.series.chair}. Agenda: {link}",
                location=meeting.series.location,
                url=link,
            )
        )
    body = ics.calendar_text(events, name="Accountability meetings", now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="accountability.ics"'
    return response


# --- Running the meeting (CCO) -----------------------------------------------------------


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
        **_run_choices(),
        **extra,
    }


@require_GET
def meeting_run(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _run_meeting(request, pk)
    if meeting.status == MeetingStatus.CLOSED:
        return redirect("accountability:meeting-minutes", pk=meeting.pk)
    groups = selectors.agenda_groups(meeting=meeting)
    all_items = [item for group in groups for item in group.items]
    sources = selectors.agenda_sources(items=all_items)
    return render(
        request,
        "accountability/meeting_run.html",
        {
            "meeting": meeting,
            "groups": groups,
            "sources": sources,
            "attendance": meeting.attendance.select_related("person", "person__department"),
            "decisions": meeting.decisions.select_related("recorded_by"),
            "new_actions": meeting.action_items.select_related("department", "owner_person"),
            "decision_form": DecisionForm(),
            "agenda_form": AgendaItemAddForm(),
            "close_form": CloseMeetingForm(initial={"summary": meeting.summary}),
            "discussed": sum(1 for item in all_items if item.discussed),
            **_run_choices(),
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
    if _is_htmx(request):
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
        {"row": attendance, "meeting": meeting, "error": error},
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
            if not _is_htmx(request):
                return redirect("accountability:meeting-run", pk=meeting.pk)
            return render(
                request, "accountability/_agenda_item.html", _agenda_item_context(request, item)
            )
    return render(
        request,
        "accountability/_agenda_add_form.html",
        {"meeting": meeting, "agenda_form": form, **_run_choices()},
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
    if not _is_htmx(request):
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
    if not _is_htmx(request):
        return redirect("accountability:meeting-run", pk=meeting.pk)
    return render(
        request,
        "accountability/_decisions.html",
        {
            "meeting": meeting,
            "decisions": meeting.decisions.select_related("recorded_by"),
            "decision_form": form,
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
        cx_issue = None
        if agenda_item is not None and agenda_item.kind == "cx_issue" and agenda_item.source_id:
            cx_issue = CXIssue.objects.filter(pk=agenda_item.source_id).first()
        try:
            services.action_item_create(
                actor=request.user,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                department=form.cleaned_data["department"],
                owner_person=form.cleaned_data["owner_person"],
                due=form.cleaned_data["due"],
                meeting=meeting,
                cx_issue=cx_issue,
                origin="meeting",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            form = ActionItemCreateForm()
    else:
        status = 400
    if not _is_htmx(request):
        return redirect("accountability:meeting-run", pk=meeting.pk)
    return render(
        request,
        "accountability/_meeting_actions.html",
        {
            "meeting": meeting,
            "new_actions": meeting.action_items.select_related("department", "owner_person"),
            "action_form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest) -> HttpResponse:
    """The CCO starts a standing, standalone accountability meeting series."""
    require_perm(request.user, "cco.run_meeting")
    form = MeetingSeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.meeting_series_create(
                actor=request.user,  # type: ignore[arg-type]
                name=data["name"],
                cadence=data["cadence"],
                weekday=data["weekday"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                attendees=data["attendees"],
                first_on=data["first_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{series.name}” is set up; its first meeting is scheduled.")
            return redirect(series)
    status = 400 if request.method == "POST" else 200
    return render(request, "accountability/series_new.html", {"form": form}, status=status)
