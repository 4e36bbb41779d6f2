"""Expected results of an initiative: the score it promises to move, by when."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from cco.access import get_for_user
from cco.forms import add_service_errors
from roadmap import services
from roadmap.forms import ExpectedResultForm
from roadmap.models import ExpectedResult, Initiative
from roadmap.views.common import actor, form_page


@require_http_methods(["GET", "POST"])
def expected_result_create(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_for_user(request.user, Initiative, "cco.manage_product", pk=pk)
    return _expected_result_form(request, ExpectedResult(initiative=initiative))


@require_http_methods(["GET", "POST"])
def expected_result_edit(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_for_user(
        request.user,
        ExpectedResult.objects.select_related("initiative"),
        "cco.manage_product",
        pk=pk,
    )
    return _expected_result_form(request, result)


def _expected_result_form(request: HttpRequest, result: ExpectedResult) -> HttpResponse:
    initiative = result.initiative
    form = ExpectedResultForm(request.POST or None, instance=result)
    if request.method == "POST" and form.is_valid():
        try:
            services.expected_result_save(actor=actor(request), result=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The expected result was saved.")
            return redirect(initiative)
    return form_page(
        request,
        form,
        title=f"Expected result of “{initiative}”",
        cancel_url=initiative.get_absolute_url(),
        intro="Scores on each metric's own scale: NPS −100 to 100, CSAT % satisfied 0 to 100, "
        "CES 1 to 7 (higher is easier). The line runs from the baseline at the initiative's "
        f"start ({initiative.start_date:%d %b %Y}) to the target on the by-date. The baseline "
        "is measured over the complete months before the start unless you type one; the "
        "result reads “too early” until the time to impact has passed and at least 30 "
        "responses arrived after the start.",
    )


@require_POST
def expected_result_delete(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_for_user(
        request.user,
        ExpectedResult.objects.select_related("initiative"),
        "cco.manage_product",
        pk=pk,
    )
    try:
        services.expected_result_delete(actor=actor(request), result=result)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The expected result was removed.")
    return redirect(result.initiative)
