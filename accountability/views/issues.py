"""CX issue pages: the list, raising one by hand, and the issue with its plan and history."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accountability import selectors, services
from accountability.forms import CXIssueRaiseForm, CXIssueUpdateForm
from accountability.views.common import versioned_save
from accountability.views.notes import change_notes_of
from cco.access import get_for_user, require_perm
from cco.errors import VersionConflict
from cco.forms import add_service_errors


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
    conflict: VersionConflict | None = None
    status = 200
    if request.method == "POST":
        require_perm(request.user, "cco.change_owned", issue)
        outcome = versioned_save(
            request,
            CXIssueUpdateForm,
            obj=issue,
            current=selectors.cx_issues(),
            save=partial(services.cx_issue_update, issue_id=issue.pk),
        )
        if outcome.status == 200:
            messages.success(request, "Saved.")
            return redirect(outcome.obj)
        issue, form, conflict, status = outcome.obj, outcome.form, outcome.conflict, outcome.status
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
            **change_notes_of(request, issue),
        },
        status=status,
    )
