"""Follow-up case pages: the list with its filters, a case worked with htmx, and the settings."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accountability import followup_selectors as selectors
from accountability.forms import (
    FollowupAssignForm,
    FollowupPolicyForm,
    FollowupRaiseIssueForm,
    FollowupRecordForm,
    FollowupThresholdForm,
)
from accountability.models import DEFAULT_THRESHOLDS, FollowupCase, FollowupThreshold
from accountability.services import followups as services
from accountability.views.common import VersionedSave, is_htmx, versioned_save
from cco.access import get_for_user, person_with_role, require_perm
from cco.errors import VersionConflict
from cco.forms import add_service_errors
from cco.models import Department


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
def followup_list(request: HttpRequest) -> HttpResponse:
    """Cases by status, department, assignee and touch point; a head or contributor starts on
    their own department's, everyone else on every department's."""
    user = person_with_role(request)
    show = request.GET.get("show", "open")
    show = show if show in selectors.FILTERS else "open"
    departments = list(Department.objects.order_by("name"))
    wanted = request.GET.get("department")
    if wanted is None and user.department_id and not (user.is_cco or user.is_executive):
        department = next((d for d in departments if d.pk == user.department_id), None)
    else:
        department = next((d for d in departments if d.slug == wanted), None)
    mine = request.GET.get("mine") == "1"
    cases = selectors.followup_cases_filtered(
        show=show,
        department_id=department.pk if department else None,
        assignee_id=user.pk if mine else None,
        touchpoint_id=_int(request.GET.get("touchpoint")),
    )
    return render(
        request,
        "accountability/followup_list.html",
        {
            "cases": list(cases[:200]),
            "show": show,
            "filters": selectors.FILTERS,
            "departments": departments,
            "department": department,
            "mine": mine,
            "today": timezone.localdate(),
            "may_configure": user.has_perm("cco.manage_product"),
        },
    )


def _context(request: HttpRequest, case: FollowupCase, **forms: Any) -> dict[str, Any]:
    user: Any = request.user
    return {
        "case": case,
        "today": timezone.localdate(),
        "may_work": user.has_perm("cco.work_followup", case),
        "may_assign": user.has_perm("cco.assign_followup", case),
        "record_form": forms.get("record") or FollowupRecordForm(initial=_versioned(case)),
        "assign_form": forms.get("assign")
        or FollowupAssignForm(
            initial={**_versioned(case), "assignee": case.assignee_id},
            department_id=case.department_id,
        ),
        "issue_form": forms.get("issue") or FollowupRaiseIssueForm(initial=_versioned(case)),
    }


def _versioned(case: FollowupCase) -> dict[str, Any]:
    return {"version": case.version, "root_cause": case.root_cause}


def _answer(request: HttpRequest, outcome: VersionedSave, form_name: str) -> HttpResponse:
    """The case card again (htmx), or the whole page; the person's input stays on a refusal."""
    saved = outcome.status == 200
    if saved and not is_htmx(request):
        messages.success(request, "Saved.")
        return redirect(outcome.obj)
    forms = {} if saved else {form_name: outcome.form}
    context = _context(request, outcome.obj, **forms)
    context.update(conflict=outcome.conflict, saved=saved)
    if is_htmx(request):
        return render(request, "accountability/_followup_card.html", context, status=outcome.status)
    context["history"] = selectors.followup_case_history(case=outcome.obj)
    return render(request, "accountability/followup_detail.html", context, status=outcome.status)


@require_http_methods(["GET", "POST"])
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case with its responses and history; its department records contacts and outcome."""
    case = get_for_user(request.user, selectors.followup_cases(), pk=pk)
    if request.method == "GET":
        context = _context(request, case)
        context["history"] = selectors.followup_case_history(case=case)
        return render(request, "accountability/followup_detail.html", context)
    require_perm(request.user, "cco.work_followup", case)
    outcome = versioned_save(
        request,
        FollowupRecordForm,
        obj=case,
        current=selectors.followup_cases(),
        save=partial(services.followup_case_record, case_id=case.pk),
    )
    return _answer(request, outcome, "record")


@require_POST
def followup_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_for_user(request.user, selectors.followup_cases(), pk=pk)
    require_perm(request.user, "cco.assign_followup", case)
    outcome = versioned_save(
        request,
        # Unbound to the department: any active person may be posted; the service says who not.
        FollowupAssignForm,
        obj=case,
        current=selectors.followup_cases(),
        save=partial(services.followup_case_assign, case_id=case.pk),
    )
    return _answer(request, outcome, "assign")


@require_POST
def followup_raise_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """One step from a case with a systemic cause to a CX issue of its department."""
    case = get_for_user(request.user, selectors.followup_cases(), pk=pk)
    require_perm(request.user, "cco.assign_followup", case)
    form = FollowupRaiseIssueForm(request.POST)
    status = 400
    conflict = None
    if form.is_valid():
        try:
            issue = services.followup_case_raise_issue(
                case_id=case.pk,
                actor=request.user,  # type: ignore[arg-type]
                expected_version=form.cleaned_data["version"],
                title=form.cleaned_data["title"],
            )
        except VersionConflict as exc:
            conflict, status = exc, 409
            case = selectors.followup_cases().get(pk=pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Raised CX issue “{issue.title}”.")
            return redirect(issue)
    context = _context(request, case, issue=form)
    context.update(conflict=conflict, history=selectors.followup_case_history(case=case))
    return render(request, "accountability/followup_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def followup_settings(request: HttpRequest) -> HttpResponse:
    """The CCO's: the service level, the windows and each touch point's own thresholds."""
    require_perm(request.user, "cco.manage_product")
    policy = services.followup_policy()
    policy_form = FollowupPolicyForm(
        initial={
            "sla_working_days": policy.sla_working_days,
            "dedupe_days": policy.dedupe_days,
            "max_age_days": policy.max_age_days,
        }
    )
    threshold_form = FollowupThresholdForm()
    status = 200
    if request.method == "POST":
        status = 400
        is_policy = "sla_working_days" in request.POST
        form: Any = (FollowupPolicyForm if is_policy else FollowupThresholdForm)(request.POST)
        if form.is_valid():
            try:
                if is_policy:
                    services.followup_policy_update(**form.cleaned_data)
                else:
                    services.followup_threshold_set(**form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("accountability:followup-settings")
        if is_policy:
            policy_form = form
        else:
            threshold_form = form
    return render(
        request,
        "accountability/followup_settings.html",
        {
            "policy_form": policy_form,
            "threshold_form": threshold_form,
            "defaults": DEFAULT_THRESHOLDS,
            "thresholds": FollowupThreshold.objects.select_related("touchpoint"),
        },
        status=status,
    )
