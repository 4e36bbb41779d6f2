from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cco import tokens
from cco.access import get_for_user, person_with_role, require_perm
from cco.models import ApiToken, Department
from cco.selectors import department_list, department_members
from cco.tasks import worker_health_task

# Partial templates other apps contribute to the department page, in reading order; each
# reads `department` from the context.
DEPARTMENT_SECTIONS = [
    "metrics/_department_section.html",
    "accountability/_department_section.html",
    "accountability/_department_pulse.html",
    "accountability/_department_compliments.html",
    "roadmap/_department_section.html",
]


@require_GET
def department_index(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.view_product")
    return render(request, "cco/department_list.html", {"departments": department_list()})


@require_GET
def department_detail(request: HttpRequest, slug: str) -> HttpResponse:
    department = get_for_user(
        request.user, Department.objects.select_related("head", "parent"), slug=slug
    )
    return render(
        request,
        "cco/department_detail.html",
        {
            "department": department,
            "members": department_members(department),
            "children": department.children.order_by("name"),
            "sections": DEPARTMENT_SECTIONS,
        },
    )


@require_http_methods(["GET"])
def api_token(request: HttpRequest) -> HttpResponse:
    token = ApiToken.objects.filter(user=person_with_role(request)).first()
    return render(request, "cco/api_token.html", {"token": token})


@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    token, key = tokens.api_token_issue(person=person_with_role(request))
    messages.success(request, "A new API token was created. Copy it now: it is shown only once.")
    return render(request, "cco/api_token.html", {"token": token, "new_key": key})


@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if tokens.api_token_revoke(person=person_with_role(request)):
        messages.success(request, "Your API token was revoked; programs using it are refused now.")
    return redirect("api-token")


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker compose: the database answers.

    With ?worker=1 it also sends a task through the broker and waits for a worker's answer.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    body: dict[str, object] = {"status": "ok", "database": "ok"}
    if request.GET.get("worker") == "1":
        try:
            body["worker"] = worker_health_task.delay().get(timeout=10)
        except Exception as exc:  # noqa: BLE001 - any broker or worker failure is "unhealthy"
            return JsonResponse({"status": "error", "worker": str(exc)}, status=503)
    return JsonResponse(body)
