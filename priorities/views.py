"""The plan as people read it: the whole plan, a priority, the calendar and its
iCalendar feed; and the editors' changes to the calendar and to the plan's structure
(a priority, its expected results and learning question, the results' indicators)."""

import copy
import datetime

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from initiatives.models import Indicator, Membership, Status
from initiatives.permissions import can_read, can_write_initiative, is_editor, require

from . import querysets, services
from .forms import EventForm, ExpectedResultForm, IndicatorForm, LearningQuestionForm, PriorityForm
from .models import AnnualPlan, CalendarToken, ExpectedResult, LearningQuestion, StrategicPriority


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
        {
            "plan": plan,
            "priority": priority,
            "quarters": quarters,
            "results": results,
            "rows": rows,
            # The groups were read by can_read() above: no query more.
            "is_editor": is_editor(request.user),
        },
    )


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


def _add_service_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors beside the form's fields, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)


def _shown_value(form, obj, name: str) -> str:
    """A stored value as the form offers it: a choice's label, a linked record's label in
    the form's list (a quarter's code and months, a priority's number and title), a date
    or number written the reader's way, a text as it is."""
    field = obj._meta.get_field(name)
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if value is None:
        return ""
    if field.is_relation:
        return form.fields[name].label_from_instance(value)
    return value if isinstance(value, str) else formats.localize(value)


def _after_conflict(form, conflict: services.EditConflict) -> list[dict]:
    """The rows saying what someone else changed, with what they now hold (a text in the
    plan's language says so, as its input does), and the form merged: a field the editor
    left as it was shows the other person's value, one the editor changed too keeps the
    editor's (``yours``: saving again replaces theirs). The fingerprint moves on to what
    is stored now, so that saving again, knowingly, is not refused."""
    current = conflict.current
    untouched = services.left_as_shown(type(current), form.cleaned_data["fingerprint"], form.service_fields())
    form.data = form.data.copy()
    rows = []
    for name in conflict.changed:
        rows.append(
            {
                "label": form[name].label,
                "value": _shown_value(form, current, name),
                "lang": form.fields[name].widget.attrs.get("lang", ""),
                "yours": name not in untouched,
            }
        )
        if name in untouched:
            value = form.fields[name].prepare_value(getattr(current, name))
            form.data[name] = "" if value is None else str(value)
    form.data["fingerprint"] = services.edit_fingerprint(current)
    return rows


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
            except services.EditConflict as error:
                conflict, event = error, error.current
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("Event “%(title)s” saved.") % {"title": event.title})
                return redirect(_calendar_url(plan, event.quarter))
    else:
        form = EventForm(instance=event, plan=plan, initial={"fingerprint": services.edit_fingerprint(event)})
    conflict_rows = _after_conflict(form, conflict) if conflict is not None else []
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


@require_GET
def calendar_ics(request, slug: str):
    """The plan's calendar file, for a signed-in reader to download."""
    require(can_read(request.user))
    return _ics(slug)


@login_not_required
@require_GET
def calendar_feed(request, slug: str, key: str):
    """The same file at a person's secret address, for a calendar program to subscribe to
    without signing in. An unknown key, or a person who may no longer read, finds nothing."""
    token = CalendarToken.objects.select_related("user").filter(key=key).first()
    if token is None or not can_read(token.user):
        raise Http404
    response = _ics(slug)
    response["Cache-Control"] = "private, no-store"
    return response


def _ics(slug: str) -> HttpResponse:
    """The plan's dated events as an iCalendar file, all-day events for a calendar program.

    Undated events are left out: an all-day event needs a day. Each event's UID is made
    from the plan's and the event's slugs, which never change, so importing the file
    again updates the events already imported instead of adding copies."""
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


# --- The plan's structure, edited by editors ------------------------------------------
#
# Every view answers 403 to anyone but an editor before it reads anything, and finds the
# part it changes under the plan and the priority its address names (404 otherwise); the
# services check again. Quarter locks do not apply: the structure is not quarterly data.


def _priority_url(priority: StrategicPriority, anchor: str = "") -> str:
    url = reverse("priorities:priority", args=[priority.annual_plan.slug, priority.number])
    return f"{url}#{anchor}" if anchor else url


def _structure_priority(slug: str, number: int) -> StrategicPriority:
    return get_object_or_404(
        StrategicPriority.objects.select_related("annual_plan"), annual_plan__slug=slug, number=number
    )


def _structure_result(slug: str, number: int, result: int) -> ExpectedResult:
    return get_object_or_404(
        ExpectedResult.objects.select_related("priority__annual_plan"),
        priority__annual_plan__slug=slug,
        priority__number=number,
        number=result,
    )


def _structure_indicator(slug: str, number: int, result: int, indicator: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("expected_result__priority__annual_plan"),
        expected_result__priority__annual_plan__slug=slug,
        expected_result__priority__number=number,
        expected_result__number=result,
        number=indicator,
    )


def _structure_form(request, *, priority, obj, form_class, save, done, context):
    """GET shows the form of ``obj`` (a new one when it has no pk); POST validates it and
    calls ``save(form)``, then ``done(saved)`` gives the success message and where to go.

    A failed POST shows the form again with what was typed and each error beside its field
    (400); a save over someone else's change shows what they changed (409)."""
    plan = priority.annual_plan
    editing = obj.pk is not None
    conflict = None
    if request.method == "POST":
        # A copy: the form changes its instance, and the page shows the part as it is stored.
        form = form_class(request.POST, instance=copy.copy(obj), plan=plan)
        if form.is_valid():
            try:
                saved = save(form)
            except services.EditConflict as error:
                conflict = error
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                message, url = done(saved)
                messages.success(request, message)
                return redirect(url)
    else:
        initial = {"fingerprint": services.edit_fingerprint(obj)} if editing else {}
        form = form_class(instance=obj, plan=plan, initial=initial)
    conflict_rows = _after_conflict(form, conflict) if conflict is not None else []
    status = 409 if conflict is not None else (400 if request.method == "POST" else 200)
    return render(
        request,
        "priorities/structure_form.html",
        {"plan": plan, "priority": priority, "form": form, "conflict_rows": conflict_rows, **context},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def priority_edit(request, slug: str, number: int):
    """An editor changes a priority's title, short title and statement."""
    require(is_editor(request.user))
    priority = _structure_priority(slug, number)
    return _structure_form(
        request,
        priority=priority,
        obj=priority,
        form_class=PriorityForm,
        save=lambda form: services.priority_update(
            user=request.user, priority=priority, fingerprint=form.cleaned_data["fingerprint"], **form.service_fields()
        ),
        done=lambda saved: (_("Strategic priority %(number)s saved.") % {"number": number}, _priority_url(priority)),
        context={
            "heading": _("Edit strategic priority %(number)s") % {"number": priority.number},
            "action": reverse("priorities:priority_edit", args=[slug, number]),
            "submit": _("Save the priority"),
        },
    )


@require_http_methods(["GET", "POST"])
def expected_result_create(request, slug: str, number: int):
    """An editor adds an expected result to a priority; it takes the next number."""
    require(is_editor(request.user))
    priority = _structure_priority(slug, number)
    return _structure_form(
        request,
        priority=priority,
        obj=ExpectedResult(priority=priority),
        form_class=ExpectedResultForm,
        save=lambda form: services.expected_result_create(
            user=request.user, priority=priority, **form.service_fields()
        ),
        done=lambda saved: (
            _("Expected result %(code)s added.") % {"code": saved.code},
            _priority_url(priority, f"result-{saved.number}"),
        ),
        context={
            "heading": _("Add an expected result to priority %(number)s") % {"number": priority.number},
            "action": reverse("priorities:expected_result_create", args=[slug, number]),
            "submit": _("Add the expected result"),
        },
    )


@require_http_methods(["GET", "POST"])
def expected_result_edit(request, slug: str, number: int, result: int):
    require(is_editor(request.user))
    item = _structure_result(slug, number, result)
    return _structure_form(
        request,
        priority=item.priority,
        obj=item,
        form_class=ExpectedResultForm,
        save=lambda form: services.expected_result_update(
            user=request.user, result=item, fingerprint=form.cleaned_data["fingerprint"], **form.service_fields()
        ),
        done=lambda saved: (
            _("Expected result %(code)s saved.") % {"code": item.code},
            _priority_url(item.priority, f"result-{item.number}"),
        ),
        context={
            "heading": _("Edit expected result %(code)s") % {"code": item.code},
            "action": reverse("priorities:expected_result_edit", args=[slug, number, result]),
            "submit": _("Save the expected result"),
            "delete_url": reverse("priorities:expected_result_delete", args=[slug, number, result]),
            "delete_label": _("Delete this expected result"),
        },
    )


@require_http_methods(["GET", "POST"])
def learning_question_edit(request, slug: str, number: int, question: int):
    require(is_editor(request.user))
    item = get_object_or_404(
        LearningQuestion.objects.select_related("priority__annual_plan"),
        priority__annual_plan__slug=slug,
        priority__number=number,
        number=question,
    )
    return _structure_form(
        request,
        priority=item.priority,
        obj=item,
        form_class=LearningQuestionForm,
        save=lambda form: services.learning_question_update(
            user=request.user, question=item, fingerprint=form.cleaned_data["fingerprint"], **form.service_fields()
        ),
        done=lambda saved: (
            _("Learning question of priority %(number)s saved.") % {"number": number},
            _priority_url(item.priority, f"question-{item.number}"),
        ),
        context={
            "heading": _("Edit the learning question of priority %(number)s") % {"number": number},
            "action": reverse("priorities:learning_question_edit", args=[slug, number, question]),
            "submit": _("Save the learning question"),
        },
    )


@require_http_methods(["GET", "POST"])
def indicator_create(request, slug: str, number: int, result: int):
    """An editor adds an indicator to an expected result; it takes the next number."""
    require(is_editor(request.user))
    parent = _structure_result(slug, number, result)
    return _structure_form(
        request,
        priority=parent.priority,
        obj=Indicator(expected_result=parent),
        form_class=IndicatorForm,
        save=lambda form: services.indicator_create(user=request.user, result=parent, **form.service_fields()),
        done=lambda saved: (
            _("Indicator %(code)s added.") % {"code": saved.code},
            _priority_url(parent.priority, f"result-{parent.number}"),
        ),
        context={
            "heading": _("Add an indicator to expected result %(code)s") % {"code": parent.code},
            "about": parent,
            "action": reverse("priorities:indicator_create", args=[slug, number, result]),
            "submit": _("Add the indicator"),
        },
    )


@require_http_methods(["GET", "POST"])
def indicator_edit(request, slug: str, number: int, result: int, indicator: int):
    require(is_editor(request.user))
    item = _structure_indicator(slug, number, result, indicator)
    return _structure_form(
        request,
        priority=item.expected_result.priority,
        obj=item,
        form_class=IndicatorForm,
        save=lambda form: services.indicator_update(
            user=request.user, indicator=item, fingerprint=form.cleaned_data["fingerprint"], **form.service_fields()
        ),
        done=lambda saved: (
            _("Indicator %(code)s saved.") % {"code": item.code},
            _priority_url(item.expected_result.priority, f"indicator-{result}-{indicator}"),
        ),
        context={
            "heading": _("Edit indicator %(code)s") % {"code": item.code},
            "about": item.expected_result,
            "action": reverse("priorities:indicator_edit", args=[slug, number, result, indicator]),
            "submit": _("Save the indicator"),
            "delete_url": reverse("priorities:indicator_delete", args=[slug, number, result, indicator]),
            "delete_label": _("Delete this indicator"),
        },
    )


def _count_seen(request, name: str) -> int | None:
    """A count the confirmation page showed, as its form posts it back; None if missing."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


def _locked_values_sentence(dependents: dict) -> list[str]:
    locked = dependents["locked_values"]
    if not locked:
        return []
    return [
        ngettext(
            "%(count)s of those values is in a locked quarter: that quarter's report will no longer show it.",
            "%(count)s of those values are in locked quarters: those quarters' reports will no longer show them.",
            locked,
        )
        % {"count": locked}
    ]


def _structure_delete(request, *, priority, item, dependents, seen_names, delete, consequences, context):
    """GET asks for confirmation, saying what goes with the deletion; POST deletes, if what
    goes with it is still what the confirmation said (else it asks again, 409)."""
    status, stale = 200, False
    if request.method == "POST":
        seen = {name: _count_seen(request, name) for name in seen_names}
        if None in seen.values():
            status = 400  # Not confirmed from this page: ask.
        else:
            try:
                message = delete(seen)
            except services.DeleteConflict as error:
                dependents, status, stale = error.dependents, 409, True
            except ValidationError as error:  # Someone else deleted it meanwhile.
                for text in error.messages:
                    messages.error(request, text)
                return redirect(_priority_url(priority, "results-heading"))
            else:
                messages.success(request, message)
                return redirect(_priority_url(priority, "results-heading"))
    return render(
        request,
        "priorities/structure_confirm_delete.html",
        {
            "plan": priority.annual_plan,
            "priority": priority,
            "item": item,
            "dependents": dependents,
            "consequences": consequences(dependents),
            "stale": stale,
            **context,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def expected_result_delete(request, slug: str, number: int, result: int):
    """GET asks for confirmation, with the indicators and values that go with the result;
    POST deletes them all."""
    require(is_editor(request.user))
    item = _structure_result(slug, number, result)

    def delete(seen):
        services.expected_result_delete(
            user=request.user, result=item, indicators_seen=seen["indicators"], values_seen=seen["values"]
        )
        return _("Expected result %(code)s deleted.") % {"code": item.code}

    def consequences(dependents):
        if not dependents["indicators"]:
            sentences = [_("It has no indicator.")]
        else:
            sentences = [
                ngettext(
                    "Its %(count)s indicator will be deleted with it.",
                    "Its %(count)s indicators will be deleted with it.",
                    dependents["indicators"],
                )
                % {"count": dependents["indicators"]}
            ]
        if dependents["values"]:
            sentences.append(
                ngettext(
                    "%(count)s recorded value of its indicators will be deleted too.",
                    "%(count)s recorded values of its indicators will be deleted too.",
                    dependents["values"],
                )
                % {"count": dependents["values"]}
            )
            sentences += _locked_values_sentence(dependents)
        if dependents["initiatives"]:
            sentences.append(
                ngettext(
                    "%(count)s initiative serves it; it will no longer.",
                    "%(count)s initiatives serve it; they will no longer.",
                    dependents["initiatives"],
                )
                % {"count": dependents["initiatives"]}
            )
        return sentences

    return _structure_delete(
        request,
        priority=item.priority,
        item=item,
        dependents=services.expected_result_dependents(item),
        seen_names=("indicators", "values"),
        delete=delete,
        consequences=consequences,
        context={
            "heading": _("Delete expected result %(code)s") % {"code": item.code},
            "text": item.text,
            "action": reverse("priorities:expected_result_delete", args=[slug, number, result]),
            "confirm": _("Yes, delete the expected result"),
            "back": reverse("priorities:expected_result_edit", args=[slug, number, result]),
        },
    )


@require_http_methods(["GET", "POST"])
def indicator_delete(request, slug: str, number: int, result: int, indicator: int):
    """GET asks for confirmation, with the number of values that go with the indicator;
    POST deletes them all."""
    require(is_editor(request.user))
    item = _structure_indicator(slug, number, result, indicator)

    def delete(seen):
        services.indicator_delete(user=request.user, indicator=item, values_seen=seen["values"])
        return _("Indicator %(code)s deleted.") % {"code": item.code}

    def consequences(dependents):
        if not dependents["values"]:
            return [_("It has no recorded value.")]
        return [
            ngettext(
                "Its %(count)s recorded value will be deleted with it.",
                "Its %(count)s recorded values will be deleted with it.",
                dependents["values"],
            )
            % {"count": dependents["values"]},
            *_locked_values_sentence(dependents),
        ]

    return _structure_delete(
        request,
        priority=item.expected_result.priority,
        item=item,
        dependents=services.indicator_dependents(item),
        seen_names=("values",),
        delete=delete,
        consequences=consequences,
        context={
            "heading": _("Delete indicator %(code)s") % {"code": item.code},
            "text": item.name,
            "action": reverse("priorities:indicator_delete", args=[slug, number, result, indicator]),
            "confirm": _("Yes, delete the indicator"),
            "back": reverse("priorities:indicator_edit", args=[slug, number, result, indicator]),
        },
    )
