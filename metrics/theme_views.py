"""The theme pages: figures and verbatim search for everyone with a role, the taxonomy for the
CCO."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cco.access import get_for_user, require_perm
from metrics import stats
from metrics.models import Theme, Touchpoint
from metrics.selectors.themes import (
    DEFAULT_PERIOD,
    PERIODS,
    theme_figures,
    verbatim_search,
)
from metrics.services.themes import taxonomy_save
from metrics.themes import MAX_THEMES, TaxonomyError, format_taxonomy


class TaxonomyForm(forms.Form):
    taxonomy = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        max_length=40_000,
        help_text="One theme a line: the theme, a colon, then its phrases separated by commas.",
    )


@require_GET
def themes(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.view_product")
    period = request.GET.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    touchpoint = None
    slug = request.GET.get("touchpoint", "")
    if slug:
        touchpoint = get_for_user(request.user, Touchpoint.objects.all(), slug=slug)
    query = request.GET.get("q", "")[:200]
    return render(
        request,
        "metrics/themes.html",
        {
            "figures": theme_figures(
                touchpoint_id=touchpoint.pk if touchpoint else None, days=PERIODS[period]
            ),
            "period": period,
            "periods": PERIODS,
            "touchpoint": touchpoint,
            "touchpoints": Touchpoint.objects.order_by("name"),
            "query": query,
            "found": list(
                verbatim_search(query, touchpoint_id=touchpoint.pk if touchpoint else None)
            )
            if query
            else None,
            "min_n": stats.MIN_RESPONSES,
        },
    )


@require_http_methods(["GET", "POST"])
def theme_taxonomy(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    current = format_taxonomy((t.name, t.phrases) for t in Theme.objects.all())
    form = TaxonomyForm(request.POST or None, initial={"taxonomy": current})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = taxonomy_save(form.cleaned_data["taxonomy"])
        except TaxonomyError as error:
            errors = error.errors
        else:
            messages.success(
                request,
                f"{len(saved)} themes saved; every verbatim is being read again for them.",
            )
            return redirect("metrics:themes")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "metrics/theme_taxonomy.html",
        {"form": form, "errors": errors, "max_themes": MAX_THEMES},
        status=status,
    )
