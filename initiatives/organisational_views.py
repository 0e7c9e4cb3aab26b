"""An organisational priority's page (its lead, its status across the year, the history of
its updates) and its quarterly update: written by its lead or an editor, reviewed by an
editor, as an initiative's. Every view checks access on the server."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from civicplan.editing import EditConflict
from civicplan.permissions import can_read, is_editor, require
from civicplan.roles import EDITORS, STAFF
from priorities.models import Quarter
from priorities.querysets import plan_with_quarters

from . import services
from .forms import OrganisationalUpdateForm
from .models import OrganisationalUpdate, organisational_lead
from .permissions import can_write_organisational
from .querysets import organisational_with_tracking
from .views import fingerprint_form, history_rows


def _people():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[STAFF, EDITORS])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class LeadForm(forms.Form):
    lead = forms.ModelChoiceField(
        label=gettext_lazy("Lead"), queryset=None, required=False, empty_label=gettext_lazy("No lead")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = _people()
        self.fields["lead"].label_from_instance = lambda user: user.get_full_name() or user.username


def _priority(slug: str, area: str, user):
    return get_object_or_404(organisational_with_tracking(user), annual_plan__slug=slug, area=area)


def _lead_id(priority) -> int | None:
    lead = organisational_lead(priority)
    return lead.pk if lead else None


@require_http_methods(["GET", "HEAD", "POST"])
def organisational_detail(request, slug: str, area: str):
    """An organisational priority: what it is, its lead, its status in every quarter and the
    history of its updates. An editor names its lead here (POST)."""
    require(can_read(request.user))
    priority = _priority(slug, area, request.user)
    editor = is_editor(request.user)
    lead_form = LeadForm(initial={"lead": organisational_lead(priority)}) if editor else None
    if request.method == "POST":
        require(editor)
        lead_form = LeadForm(request.POST)
        if lead_form.is_valid():
            services.organisational_lead_set(user=request.user, priority=priority, lead=lead_form.cleaned_data["lead"])
            messages.success(request, _("Lead saved."))
            return redirect("initiatives:organisational", slug, area)
    plan = plan_with_quarters(slug)
    quarters = list(plan.quarters.all())
    by_quarter = {u.quarter.number: u for u in priority.updates.all()}
    can_write = can_write_organisational(request.user, _lead_id(priority))
    rows = [
        (q, by_quarter.get(q.number), reverse("initiatives:organisational_update", args=[slug, area, q.number]))
        for q in quarters
    ]
    history = history_rows(
        OrganisationalUpdate.history.filter(organisational_priority_id=priority.pk).select_related("quarter")
    )
    return render(
        request,
        "initiatives/organisational_detail.html",
        {
            "plan": plan,
            "priority": priority,
            "lead": organisational_lead(priority),
            "rows": rows,
            "history": history,
            "can_write": can_write,
            "is_editor": editor,
            "lead_form": lead_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def organisational_update(request, slug: str, area: str, number: int):
    """GET shows an organisational priority's update form for a quarter; POST saves it,
    all or nothing (the same form, rules and conflict check as an initiative's)."""
    priority = _priority(slug, area, request.user)
    require(can_write_organisational(request.user, _lead_id(priority)))
    plan = plan_with_quarters(slug)
    quarter = get_object_or_404(Quarter.objects.select_related("lock"), annual_plan=plan, number=number)
    state = services.organisational_state(priority=priority, quarter=quarter)
    update = OrganisationalUpdate.objects.filter(organisational_priority=priority, quarter=quarter).first()
    page = reverse("initiatives:organisational", args=[slug, area])
    conflict = None
    if request.method == "POST":
        form = OrganisationalUpdateForm(request.POST)
        if form.is_valid():
            try:
                services.organisational_update_save(
                    user=request.user,
                    priority=priority,
                    quarter=quarter,
                    data=form.to_input(),
                    fingerprint=form.cleaned_data["fingerprint"],
                    submit="submit" in request.POST,
                )
            except EditConflict as error:
                conflict = error
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Update submitted for review.") if "submit" in request.POST else _("Draft saved.")
                )
                if request.htmx:
                    return HttpResponseClientRedirect(page)
                return redirect(page)
    else:
        initial = {name: state[name] for name in ("narrative", "risks", "next_steps")}
        form = OrganisationalUpdateForm(initial=initial | {"status": state["status"] or None})
    conflict_rows = fingerprint_form(form, conflict=conflict, state=state)
    context = {
        "plan": plan,
        "priority": priority,
        "quarter": quarter,
        "form": form,
        "update": update,
        "conflict": conflict,
        "conflict_rows": conflict_rows,
        "locked": quarter.locked,
        "action": reverse("initiatives:organisational_update", args=[slug, area, number]),
    }
    template = "initiatives/_update_form.html" if request.htmx else "initiatives/organisational_update_form.html"
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(request, template, context, status=status)
