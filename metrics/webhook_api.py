"""POST /api/webhooks/responses/<source>/: survey responses pushed by a survey tool.

Authenticated by the Standard Webhooks signature alone (no session, no token, no CSRF): the
source's secret is the credential. Every answer is JSON naming its reason.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from metrics.services.webhooks import MAX_BODY_BYTES, webhook_receive


@csrf_exempt
@login_not_required
@require_POST
def webhook_responses(request: HttpRequest, source: str) -> JsonResponse:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    length = int(declared) if declared.isdigit() else 0
    # Read no more than one byte past the limit: an oversized body is refused unread.
    body = b"" if length > MAX_BODY_BYTES else request.read(MAX_BODY_BYTES + 1)
    outcome = webhook_receive(
        slug=source, body=body, headers=dict(request.headers), declared_length=length
    )
    return JsonResponse(outcome.as_dict(), status=outcome.status)


urlpatterns = [
    path("webhooks/responses/<slug:source>/", webhook_responses, name="metrics-webhook-responses"),
]
