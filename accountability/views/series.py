"""Meeting series: the CCO starts a standing series; everyone sees its history and trend."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accountability import charts, selectors, services
from accountability.forms import MeetingSeriesForm
from accountability.models import MeetingSeries, MeetingStatus
from cco.access import get_for_user, require_perm
from cco.forms import add_service_errors


@require_GET
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_for_user(request.user, MeetingSeries.objects.select_related("chair"), pk=pk)
    history = selectors.series_history(series=series)
    return render(
        request,
        "accountability/series_detail.html",
        {
            "series": series,
            "history": history,
            "attendees": series.attendees.select_related("department").order_by("last_name"),
            "upcoming": series.meetings.exclude(status=MeetingStatus.CLOSED).order_by(
                "scheduled_at"
            ),
            "figure": charts.series_figure(history),
            "may_run": request.user.has_perm("cco.run_meeting"),
        },
    )


@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest) -> HttpResponse:
    """The CCO starts a standing, standalone accountability meeting series."""
    require_perm(request.user, "cco.run_meeting")
    form = MeetingSeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.meeting_series_create(
                actor=request.user,  # type: ignore[arg-type]
                name=data["name"],
                cadence=data["cadence"],
                weekday=data["weekday"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                attendees=data["attendees"],
                first_on=data["first_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{series.name}” is set up; its first meeting is scheduled.")
            return redirect(series)
    status = 400 if request.method == "POST" else 200
    return render(request, "accountability/series_new.html", {"form": form}, status=status)
