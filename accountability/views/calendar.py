"""The calendar: a person's secret feed address, and the ICS feed calendar apps poll."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accountability import ics, selectors, services
from accountability.models import CalendarFeed
from cco.access import require_perm


@require_http_methods(["GET", "POST"])
def calendar_subscribe(request: HttpRequest) -> HttpResponse:
    """Shows the person's secret feed address; POST makes a new one (the old stops working)."""
    require_perm(request.user, "cco.view_product")
    feed = services.calendar_feed_issue(
        person=request.user,  # type: ignore[arg-type]
        reset=request.method == "POST",
    )
    if request.method == "POST":
        messages.success(request, "A new calendar address was made; the old one no longer works.")
        return redirect("accountability:calendar")
    return render(
        request,
        "accountability/calendar.html",
        {"feed_url": request.build_absolute_uri(feed.get_absolute_url())},
    )


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed calendar apps poll: authenticated by the secret token in its address."""
    feed = CalendarFeed.objects.select_related("person").filter(token=token).first()
    if feed is None or not feed.person.has_perm("cco.view_product"):
        raise Http404("No such calendar.")
    meetings = selectors.upcoming_meetings(person=feed.person, limit=None)
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "cco-dashboard"
    events = []
    for meeting in meetings:
        link = f"{settings.SITE_URL}{reverse('accountability:meeting-minutes', args=[meeting.pk])}"
        events.append(
            ics.CalendarEvent(
                uid=f"meeting-{meeting.pk}@{host}",
                start=meeting.scheduled_at,
                end=meeting.ends_at,
                summary=meeting.series.name,
                description=f"Chaired by {meeting.series.chair}. Agenda: {link}",
                location=meeting.series.location,
                url=link,
            )
        )
    body = ics.calendar_text(events, name="Accountability meetings", now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="accountability.ics"'
    return response
