"""The plan as its readers follow it: the whole plan with each initiative's latest status,
a priority with its results, indicators, learning question and initiatives quarter by
quarter; and the editors' changes to the results' indicators."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from civicplan import edit_views
from civicplan.permissions import can_read, is_editor, require
from priorities.querysets import plan_result

from . import querysets, services
from .forms import IndicatorForm
from .models import Indicator, Status, organisational_lead
from .permissions import can_write_initiative


def _latest(updates):
    updates = list(updates.all())
    return updates[-1] if updates else None


def plan_detail(request, slug: str):
    """The goal, the priorities and their initiatives with their latest status, filtered
    by priority, status and lead; then the organisational priorities with theirs."""
    require(can_read(request.user))
    plan, priorities = querysets.plan_page(slug, request.user)
    chosen_priority = request.GET.get("priority", "")
    chosen_status = request.GET.get("status", "")
    chosen_lead = request.GET.get("lead", "")
    sections, leads = [], {}
    for priority in priorities:
        rows = []
        for initiative in priority.initiatives.all():
            latest, lead = _latest(initiative.status_updates), initiative.lead
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
    editor = is_editor(request.user)
    # Editors see which priorities still have indicators to give a target (a rolled-over
    # plan starts so); counted by plan_page's query, whatever the filters.
    to_set = [p for p in priorities if p.targets_to_set] if editor else []
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
            "is_editor": editor,
            "targets_to_set": {"count": sum(p.targets_to_set for p in to_set), "priorities": to_set}
            if to_set
            else None,
            "quarters": list(plan.quarters.all()),
            "organisational": [
                {"priority": p, "lead": organisational_lead(p), "latest": _latest(p.updates)}
                for p in querysets.organisational_with_tracking(request.user).filter(annual_plan=plan)
            ],
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
            "lead": i.lead,
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


def _structure_indicator(slug: str, number: int, result: int, indicator: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.select_related("expected_result__priority__annual_plan"),
        expected_result__priority__annual_plan__slug=slug,
        expected_result__priority__number=number,
        expected_result__number=result,
        number=indicator,
    )


class IndicatorCreate(edit_views.PlanPartFormView):
    """An editor adds an indicator to an expected result; it takes the next number."""

    form_class = IndicatorForm

    def get_object(self):
        return Indicator(expected_result=plan_result(self.kwargs["slug"], self.kwargs["number"], self.kwargs["result"]))

    def priority(self):
        return self.object.expected_result.priority

    def save(self, form):
        return services.indicator_create(
            user=self.request.user, result=self.object.expected_result, **form.service_fields()
        )

    def success_message(self, saved):
        return _("Indicator %(code)s added.") % {"code": saved.code}

    def success_url_for(self, saved):
        result = self.object.expected_result
        return f"{result.priority.get_absolute_url()}#result-{result.number}"

    def page(self):
        result = self.object.expected_result
        return {
            "heading": _("Add an indicator to expected result %(code)s") % {"code": result.code},
            "about": result,
            "submit": _("Add the indicator"),
        }


class IndicatorEdit(edit_views.PlanPartFormView):
    form_class = IndicatorForm

    def get_object(self):
        return _structure_indicator(**self.kwargs)

    def priority(self):
        return self.object.expected_result.priority

    def save(self, form):
        return services.indicator_update(
            user=self.request.user,
            indicator=self.object,
            fingerprint=form.cleaned_data["fingerprint"],
            **form.service_fields(),
        )

    def success_message(self, saved):
        return _("Indicator %(code)s saved.") % {"code": self.object.code}

    def success_url_for(self, saved):
        anchor = f"indicator-{self.kwargs['result']}-{self.kwargs['indicator']}"
        return f"{self.priority().get_absolute_url()}#{anchor}"

    def page(self):
        return {
            "heading": _("Edit indicator %(code)s") % {"code": self.object.code},
            "about": self.object.expected_result,
            "submit": _("Save the indicator"),
            "delete_url": reverse("initiatives:indicator_delete", kwargs=self.kwargs),
            "delete_label": _("Delete this indicator"),
        }


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
            *edit_views.locked_values_sentence(dependents),
        ]

    return edit_views.confirm_delete(
        request,
        priority=item.expected_result.priority,
        item=item,
        dependents=services.indicator_dependents(item),
        seen_names=("values",),
        delete=delete,
        consequences=consequences,
        done_url=f"{item.expected_result.priority.get_absolute_url()}#results-heading",
        context={
            "heading": _("Delete indicator %(code)s") % {"code": item.code},
            "text": item.name,
            "action": reverse("initiatives:indicator_delete", args=[slug, number, result, indicator]),
            "confirm": _("Yes, delete the indicator"),
            "back": reverse("initiatives:indicator_edit", args=[slug, number, result, indicator]),
        },
    )
