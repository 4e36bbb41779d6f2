"""Roadmaps and their pillars: created and edited by the CCO."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cco.access import require_perm
from cco.forms import add_service_errors
from roadmap import services
from roadmap.forms import PillarForm, RoadmapForm
from roadmap.models import Pillar, Roadmap
from roadmap.views.common import actor, form_page


@require_http_methods(["GET", "POST"])
def roadmap_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    roadmap = get_object_or_404(Roadmap, pk=pk) if pk else Roadmap()
    form = RoadmapForm(request.POST or None, instance=roadmap)
    if request.method == "POST" and form.is_valid():
        try:
            services.roadmap_save(actor=actor(request), roadmap=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The roadmap “{form.instance}” was saved.")
            return redirect(form.instance)
    return form_page(
        request,
        form,
        title=f"Edit “{roadmap}”" if pk else "New roadmap",
        cancel_url=roadmap.get_absolute_url() if pk else reverse("roadmap:timeline"),
        intro="" if pk else "A roadmap usually spans five years, e.g. 2026–2030.",
    )


@require_http_methods(["GET", "POST"])
def pillar_edit(
    request: HttpRequest, roadmap_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    if pk:
        pillar = get_object_or_404(Pillar.objects.select_related("roadmap"), pk=pk)
    else:
        pillar = Pillar(roadmap=get_object_or_404(Roadmap, pk=roadmap_pk))
    form = PillarForm(request.POST or None, instance=pillar)
    if request.method == "POST" and form.is_valid():
        try:
            services.pillar_save(actor=actor(request), pillar=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The pillar “{form.instance}” was saved.")
            return redirect(pillar.roadmap)
    return form_page(
        request,
        form,
        title=f"Edit pillar “{pillar}”" if pk else f"New pillar in {pillar.roadmap}",
        cancel_url=pillar.roadmap.get_absolute_url(),
    )
