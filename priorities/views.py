"""The plan's calendar as people read it, on the page and as an iCalendar feed, and the
editors' changes to its events."""

import copy
import datetime

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import conditional_page, require_http_methods, require_POST, require_safe

from civicplan import edit_views
from civicplan.editing import EditConflict, edit_fingerprint
from civicplan.permissions import can_read, is_editor, require
from civicplan.translations import translated

from . import querysets, services
from .forms import EventForm
from .models import AnnualPlan, CalendarToken


@require_safe
def about(request, slug: str):
    """The plan in its own words: the overall goal and why, the year's context, the key
    changes of the strategic plan, how the plan is monitored, the organisational
    priorities and the closing statement."""
    require(can_read(request.user))
    return render(request, "priorities/about.html", {"plan": querysets.plan_about(slug)})


def calendar(request, slug: str):
    """The events of the year by quarter, with what each is linked to."""
    require(can_read(request.user))
    plan = querysets.plan_with_quarters(slug)
    events = querysets.calendar_events(plan)
    by_quarter = [(q, [e for e in events if e.quarter_id == q.pk]) for q in plan.quarters.all()]
    token = CalendarToken.objects.filter(user=request.user).first()
    subscription = (
        request.build_absolute_uri(reverse("priorities:calendar_feed", args=[plan.slug, token.key])) if token else None
    )
    return render(
        request,
        "priorities/calendar.html",
        {"plan": plan, "by_quarter": by_quarter, "is_editor": is_editor(request.user), "subscription": subscription},
    )


@require_POST
def calendar_token(request, slug: str):
    """Make (or remake) the reader's secret subscription address."""
    plan = get_object_or_404(AnnualPlan, slug=slug)
    services.calendar_token_reset(user=request.user)
    messages.success(request, _("Your subscription address is ready; any earlier one no longer works."))
    return redirect(reverse("priorities:calendar", args=[plan.slug]) + "#subscribe")


def _calendar_url(plan, quarter=None) -> str:
    url = reverse("priorities:calendar", args=[plan.slug])
    return f"{url}#quarter-{quarter.number}" if quarter is not None else url


@require_http_methods(["GET", "POST"])
def event_create(request, slug: str):
    """GET shows an empty event form; POST adds the event to the calendar."""
    require(is_editor(request.user))
    plan = querysets.plan_with_quarters(slug)
    if request.method == "POST":
        form = EventForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                event = services.event_create(user=request.user, plan=plan, **form.service_fields())
            except ValidationError as error:
                edit_views.add_service_errors(form, error)
            else:
                messages.success(request, _("Event “%(title)s” added.") % {"title": event.title})
                return redirect(_calendar_url(plan, event.quarter))
    else:
        initial = {}
        number = request.GET.get("quarter", "")
        quarter = next((q for q in plan.quarters.all() if str(q.number) == number), None)
        if quarter is not None:
            initial["quarter"] = quarter
        form = EventForm(initial=initial, plan=plan)
    return render(
        request,
        "priorities/event_form.html",
        {"plan": plan, "form": form, "event": None},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def event_edit(request, slug: str, event_slug: str):
    """GET shows the event's form; POST saves the change (the event keeps its slug).

    A failed POST shows the form again with what was typed and each error beside its field
    (400); a save over someone else's change shows what they changed (409)."""
    require(is_editor(request.user))
    plan = querysets.plan_with_quarters(slug)
    event = querysets.plan_event(plan, event_slug)
    conflict = None
    if request.method == "POST":
        # A copy: the form changes its instance, and the page shows the event as it is stored.
        form = EventForm(request.POST, instance=copy.copy(event), plan=plan)
        if form.is_valid():
            try:
                event = services.event_update(
                    user=request.user,
                    event=event,
                    fingerprint=form.cleaned_data["fingerprint"],
                    **form.service_fields(),
                )
            except EditConflict as error:
                conflict, event = error, error.current
            except ValidationError as error:
                edit_views.add_service_errors(form, error)
            else:
                messages.success(request, _("Event “%(title)s” saved.") % {"title": event.title})
                return redirect(_calendar_url(plan, event.quarter))
    else:
        form = EventForm(instance=event, plan=plan, initial={"fingerprint": edit_fingerprint(event)})
    conflict_rows = edit_views.after_conflict(form, conflict) if conflict is not None else []
    status = 409 if conflict is not None else (400 if request.method == "POST" else 200)
    return render(
        request,
        "priorities/event_form.html",
        {"plan": plan, "form": form, "event": event, "conflict_rows": conflict_rows},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def event_delete(request, slug: str, event_slug: str):
    """GET asks for confirmation; POST deletes the event."""
    require(is_editor(request.user))
    plan = querysets.plan_with_quarters(slug)
    event = querysets.plan_event(plan, event_slug)
    if request.method == "POST":
        services.event_delete(user=request.user, event=event)
        messages.success(request, _("Event “%(title)s” deleted.") % {"title": event.title})
        return redirect(_calendar_url(plan, event.quarter))
    return render(request, "priorities/event_confirm_delete.html", {"plan": plan, "event": event})


def _feed_description(event) -> str:
    lines = [event.description.strip()] if event.description.strip() else []
    if event.priority is not None:
        lines.append(
            _("Strategic priority %(number)s: %(title)s")
            % {"number": event.priority.number, "title": event.priority.title}
        )
    if event.initiative is not None:
        lines.append(
            _("Initiative %(code)s: %(title)s") % {"code": event.initiative.code, "title": event.initiative.title}
        )
    return "\n\n".join(lines)


@require_safe
@conditional_page
def calendar_ics(request, slug: str):
    """The plan's calendar file, for a signed-in reader to download."""
    require(can_read(request.user))
    return _ics(slug)


@login_not_required
@require_safe
@conditional_page
def calendar_feed(request, slug: str, key: str):
    """The same file at a person's secret address, for a calendar program to subscribe to
    without signing in. An unknown key, or a person who may no longer read, finds nothing."""
    token = CalendarToken.objects.select_related("user").filter(key=key).first()
    if token is None or not can_read(token.user):
        raise Http404
    response = _ics(slug)
    # Kept by the reader's calendar program only (never by a shared cache: the address is
    # secret), and asked again each time: the ETag answers 304 when nothing changed.
    response["Cache-Control"] = "private, no-cache"
    return response


def _ics(slug: str) -> HttpResponse:
    """The plan's dated events as an iCalendar file, all-day events for a calendar program.

    Undated events are left out: an all-day event needs a day. Each event's UID is made
    from the plan's and the event's slugs, which never change, so importing the file
    again updates the events already imported instead of adding copies. The file is the
    same bytes until something in it changes (an event never edited since it was loaded
    is stamped with the plan's start), so that its ETag lets a calendar program ask
    "anything new?" and get 304."""
    plan = querysets.plan_with_quarters(slug)
    loaded = datetime.datetime.combine(plan.start_date, datetime.time(0), tzinfo=datetime.UTC)
    feed = icalendar.Calendar()
    feed.add("prodid", "-//civicplan//calendar feed//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    # One line: a line break in the title would end the property early (a bare CR, raw).
    feed.add("x-wr-calname", " ".join(plan.title.split()))
    for event in querysets.calendar_feed_events(plan):
        entry = icalendar.Event()
        entry.add("uid", f"{plan.slug}-{event.slug}@civicplan")
        # The title in the reader's language, or the plan's where it has no translation: said.
        title = translated(event, "title")
        entry.add("summary", str(title), parameters={"LANGUAGE": title.language})
        entry.add("dtstart", event.start_date)
        # All-day events end on the day after their last day (RFC 5545: DTEND is exclusive).
        entry.add("dtend", event.last_day + datetime.timedelta(days=1))
        entry.add("dtstamp", event.last_changed or loaded)
        if event.last_changed is not None:
            entry.add("last-modified", event.last_changed)
        entry.add("categories", [event.get_kind_display()])
        description = _feed_description(event)
        if description:
            entry.add("description", description)
        feed.add_component(entry)
    response = HttpResponse(feed.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="civicplan-{plan.slug}.ics"'
    return response
