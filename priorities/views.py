"""The plan as people read it: the whole plan, a priority, the calendar and its
iCalendar feed; and the editors' changes to the calendar."""

import datetime

import icalendar
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from initiatives.models import Membership, Status
from initiatives.permissions import can_read, can_write_initiative, is_editor, require

from . import querysets, services
from .forms import EventForm


def _latest(initiative):
    updates = list(initiative.status_updates.all())
    return updates[-1] if updates else None


def _lead(initiative):
    return next((m.user for m in initiative.memberships.all() if m.role == Membership.Role.LEAD), None)


def plan_detail(request, slug: str):
    """The goal, the priorities and their initiatives with their latest status, filtered
    by priority, status and lead."""
    require(can_read(request.user))
    plan, priorities = querysets.plan_page(slug, request.user)
    chosen_priority = request.GET.get("priority", "")
    chosen_status = request.GET.get("status", "")
    chosen_lead = request.GET.get("lead", "")
    sections, leads = [], {}
    for priority in priorities:
        rows = []
        for initiative in priority.initiatives.all():
            latest, lead = _latest(initiative), _lead(initiative)
            if lead is not None:
                leads[lead.username] = lead
            if chosen_priority and str(priority.number) != chosen_priority:
                continue
            if chosen_status and (latest.status if latest else "none") != chosen_status:
                continue
            if chosen_lead and (lead.username if lead else "") != chosen_lead:
                continue
            member_ids = {m.user_id for m in initiative.memberships.all()}
            rows.append(
                {
                    "initiative": initiative,
                    "latest": latest,
                    "lead": lead,
                    "can_write": can_write_initiative(request.user, initiative, member_ids),
                }
            )
        if rows or not (chosen_priority or chosen_status or chosen_lead):
            sections.append({"priority": priority, "rows": rows})
    return render(
        request,
        "priorities/plan_detail.html",
        {
            "plan": plan,
            "sections": sections,
            "priorities": priorities,
            "statuses": [*Status.choices, ("none", _("No update yet"))],
            "leads": sorted(leads.values(), key=lambda u: u.get_full_name() or u.username),
            "chosen": {"priority": chosen_priority, "status": chosen_status, "lead": chosen_lead},
            "is_editor": is_editor(request.user),
            "quarters": list(plan.quarters.all()),
        },
    )


def priority_detail(request, slug: str, number: int):
    require(can_read(request.user))
    plan, priority = querysets.priority_page(slug, number, request.user)
    quarters = list(plan.quarters.all())
    results = []
    for result in priority.expected_results.all():
        indicators = []
        for indicator in result.indicators.all():
            by_quarter = {v.quarter.number: v for v in indicator.values.all()}
            indicators.append({"indicator": indicator, "values": [by_quarter.get(q.number) for q in quarters]})
        results.append({"result": result, "indicators": indicators})
    rows = [
        {
            "initiative": i,
            "by_quarter": [
                next((u for u in i.status_updates.all() if u.quarter.number == q.number), None) for q in quarters
            ],
            "lead": _lead(i),
        }
        for i in priority.initiatives.all()
    ]
    return render(
        request,
        "priorities/priority_detail.html",
        {"plan": plan, "priority": priority, "quarters": quarters, "results": results, "rows": rows},
    )


def calendar(request, slug: str):
    """The events of the year by quarter, with what each is linked to."""
    require(can_read(request.user))
    plan = querysets.plan_with_quarters(slug)
    events = querysets.calendar_events(plan)
    by_quarter = [(q, [e for e in events if e.quarter_id == q.pk]) for q in plan.quarters.all()]
    return render(
        request,
        "priorities/calendar.html",
        {"plan": plan, "by_quarter": by_quarter, "is_editor": is_editor(request.user)},
    )


def _calendar_url(plan, quarter=None) -> str:
    url = reverse("priorities:calendar", args=[plan.slug])
    return f"{url}#quarter-{quarter.number}" if quarter is not None else url


def _add_service_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors beside the form's fields, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)


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
                _add_service_errors(form, error)
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
    """GET shows the event's form; POST saves the change (the event keeps its slug)."""
    require(is_editor(request.user))
    plan = querysets.plan_with_quarters(slug)
    event = querysets.plan_event(plan, event_slug)
    if request.method == "POST":
        form = EventForm(request.POST, instance=event, plan=plan)
        if form.is_valid():
            try:
                event = services.event_update(user=request.user, event=event, **form.service_fields())
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Event “%(title)s” saved.") % {"title": event.title})
                return redirect(_calendar_url(plan, event.quarter))
        # The form changed the instance in memory: show the event as it is stored.
        event = querysets.plan_event(plan, event_slug)
    else:
        form = EventForm(instance=event, plan=plan)
    return render(
        request,
        "priorities/event_form.html",
        {"plan": plan, "form": form, "event": event},
        status=400 if request.method == "POST" else 200,
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


@require_GET
def calendar_ics(request, slug: str):
    """The plan's dated events as an iCalendar file, all-day events for a calendar program.

    Undated events are left out: an all-day event needs a day. Each event's UID is made
    from the plan's and the event's slugs, which never change, so importing the file
    again updates the events already imported instead of adding copies."""
    require(can_read(request.user))
    plan = querysets.plan_with_quarters(slug)
    now = timezone.now()
    feed = icalendar.Calendar()
    feed.add("prodid", "-//civicplan//calendar feed//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", plan.title)
    for event in querysets.calendar_feed_events(plan):
        entry = icalendar.Event()
        entry.add("uid", f"{plan.slug}-{event.slug}@civicplan")
        # The plan's content stays in its own language, whatever the interface's.
        entry.add("summary", event.title, parameters={"LANGUAGE": plan.language})
        entry.add("dtstart", event.start_date)
        # All-day events end on the day after their last day (RFC 5545: DTEND is exclusive).
        entry.add("dtend", event.last_day + datetime.timedelta(days=1))
        entry.add("dtstamp", event.last_changed or now)
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
