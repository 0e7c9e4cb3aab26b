"""The plan as people read it: the whole plan, a priority, the calendar."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from initiatives.models import Membership, Status
from initiatives.permissions import can_read, can_write_initiative, is_editor, require

from . import querysets


def _latest(initiative):
    updates = list(initiative.status_updates.all())
    return updates[-1] if updates else None


def _lead(initiative):
    return next((m.user for m in initiative.memberships.all() if m.role == Membership.Role.LEAD), None)


def plan_detail(request, slug: str):
    """The goal, the priorities and their initiatives with their latest status, filtered
    by priority, status and lead."""
    require(can_read(request.user))
    plan, priorities = querysets.plan_page(slug)
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
    plan, priority = querysets.priority_page(slug, number)
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
