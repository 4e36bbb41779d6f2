"""What every roadmap page shares: the signed-in actor, htmx detection, the form page and
the roadmap a page was asked for."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cco.models import User
from roadmap.models import Roadmap
from roadmap.selectors import current_roadmap


def actor(request: HttpRequest) -> User:
    """The signed-in person (LoginRequiredMiddleware has already turned anonymous ones away)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    cancel_url: str,
    intro: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "roadmap/form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "intro": intro},
        status=400 if form.errors else status,
    )


def chosen_roadmap(request: HttpRequest) -> Roadmap | None:
    roadmap_id = request.GET.get("roadmap")
    if roadmap_id:
        if not roadmap_id.isdigit():
            raise Http404("No such roadmap.")
        return get_object_or_404(Roadmap, pk=int(roadmap_id))
    return current_roadmap()
