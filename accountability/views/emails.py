"""A person's choice to receive the programme's emails (reminders, digest, minutes) or not."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accountability.models import EmailOptOut
from accountability.services.reminders import email_preference_set
from cco.access import person_with_role


@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    person: Any = person_with_role(request)
    if request.method == "POST":
        receive = request.POST.get("receive") == "on"
        email_preference_set(person=person, receive=receive)
        messages.success(
            request,
            "You will receive the programme's emails."
            if receive
            else "You will receive no email from the programme.",
        )
        return redirect("accountability:email-preferences")
    return render(
        request,
        "accountability/email_preferences.html",
        {"receive": not EmailOptOut.objects.filter(person=person).exists()},
    )
