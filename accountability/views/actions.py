"""Action item pages: the item with its history and update form, and creating one."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accountability import selectors, services
from accountability.forms import ActionItemCreateForm, ActionItemUpdateForm, MoveDueForm
from accountability.models import ActionItem, ActionStatus
from accountability.views.common import departments_for, is_htmx, versioned_save
from cco.access import get_for_user, require_perm
from cco.forms import add_service_errors


def _action_item_context(
    request: HttpRequest, item: ActionItem, form: Any = None, move_form: Any = None
) -> dict:
    user: Any = request.user
    return {
        "item": item,
        "form": form
        or ActionItemUpdateForm(
            initial={"status": item.status, "due": item.due, "version": item.version}
        ),
        "move_form": move_form or MoveDueForm(initial={"version": item.version}),
        "may_update": user.has_perm("cco.update_action_item", item),
        "today": timezone.localdate(),
        "week": request.POST.get("from") == "week",
    }


def _week_update(request: HttpRequest, context: dict, status: int) -> HttpResponse:
    """The answer to a save made on a department's week page: the item's card (gone once it is
    no longer open) and, out of band, the page's counters and its list of items done."""
    item = context["item"]
    return render(
        request,
        "accountability/_week_update.html",
        {
            **context,
            "work": selectors.department_work(department=item.department),
            "still_open": item.status != ActionStatus.DONE,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def action_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An action item with its history; the owner updates status, due date and progress."""
    item = get_for_user(
        request.user,
        selectors.action_items().select_related("initiative", "milestone", "kpi"),
        pk=pk,
    )
    if request.method == "GET":
        context = _action_item_context(request, item)
        context["history"] = selectors.action_item_history(item=item)
        return render(request, "accountability/action_item_detail.html", context)

    require_perm(request.user, "cco.update_action_item", item)
    outcome = versioned_save(
        request,
        ActionItemUpdateForm,
        obj=item,
        current=selectors.action_items(),
        save=partial(services.action_item_update, item_id=item.pk),
    )
    saved = outcome.status == 200
    if saved and not is_htmx(request):
        messages.success(request, f"Saved “{outcome.obj.title}”.")
        return redirect(outcome.obj.get_absolute_url())
    # Once saved, a fresh form carries the new version for the next save.
    context = _action_item_context(request, outcome.obj, None if saved else outcome.form)
    context["conflict"] = outcome.conflict
    context["saved"] = saved
    return _saved_item_answer(request, context, outcome)


def _saved_item_answer(request: HttpRequest, context: dict[str, Any], outcome: Any) -> HttpResponse:
    """After an edit of an item (saved, refused or in conflict): the week page's lists and
    counters, the item's card, or its whole page, by where the request came from."""
    if is_htmx(request) and context["week"]:
        return _week_update(request, context, outcome.status)
    if is_htmx(request):
        return render(
            request, "accountability/_action_item_card.html", context, status=outcome.status
        )
    context["history"] = selectors.action_item_history(item=outcome.obj)
    return render(request, "accountability/action_item_detail.html", context, status=outcome.status)


@require_POST
def action_item_move_due(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an item's due date with a reason, kept in its history; the same version check as
    every other edit of the item."""
    item = get_for_user(request.user, selectors.action_items(), pk=pk)
    require_perm(request.user, "cco.update_action_item", item)
    outcome = versioned_save(
        request,
        MoveDueForm,
        obj=item,
        current=selectors.action_items(),
        save=partial(services.action_item_move_due, item_id=item.pk),
    )
    saved = outcome.status == 200
    if saved and not is_htmx(request):
        messages.success(request, f"Moved the due date of “{outcome.obj.title}”.")
        return redirect(outcome.obj.get_absolute_url())
    context = _action_item_context(request, outcome.obj, None, None if saved else outcome.form)
    context["conflict"] = outcome.conflict
    context["saved"] = saved
    context["move_open"] = not saved
    return _saved_item_answer(request, context, outcome)


@require_POST
def action_item_create(request: HttpRequest) -> HttpResponse:
    """Create an action item from the My department page (CCO, or the department's head)."""
    require_perm(request.user, "cco.create_in_department")
    form = ActionItemCreateForm(request.POST, departments=departments_for(request.user))
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
