"""The staff workspace: the dashboard, an initiative's page, its quarterly update, the
editors' review and the locking of quarters. Every view checks access on the server."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from civicplan.edit_views import add_service_errors
from civicplan.editing import EditConflict, fingerprint
from civicplan.permissions import can_read, is_editor, require
from civicplan.roles import EDITORS, STAFF
from civicplan.translations import texts_of
from priorities.models import LearningQuestion, Quarter
from priorities.querysets import plan_with_quarters

from . import services
from .forms import InitiativeForm, LockForm, QuarterlyUpdateForm, ReturnForm, UnlockForm
from .models import Indicator, IndicatorValue, Initiative, LearningReflection, Membership, Status, StatusUpdate
from .permissions import can_write_initiative
from .querysets import initiatives_with_tracking


def _status_by_quarter(initiative) -> dict[int, StatusUpdate]:
    return {u.quarter.number: u for u in initiative.status_updates.all()}


def _initiative(pk: int, user) -> Initiative:
    return get_object_or_404(
        initiatives_with_tracking(user).select_related("priority__annual_plan__strategic_plan"), pk=pk
    )


def initiative_detail(request, pk: int):
    """An initiative: what it is, the results it serves, its status across the year, its
    indicators' values and the history of every change to its tracking."""
    require(can_read(request.user))
    initiative = get_object_or_404(
        initiatives_with_tracking(request.user).select_related(
            "priority__annual_plan__strategic_plan",
            "previous__priority__annual_plan",
            "next_year__priority__annual_plan",
        ),
        pk=pk,
    )
    try:
        next_year = initiative.next_year
    except Initiative.DoesNotExist:
        next_year = None
    plan = plan_with_quarters(initiative.priority.annual_plan.slug)
    quarters = list(plan.quarters.all())
    values = Prefetch("values", queryset=IndicatorValue.objects.select_related("quarter"))
    results = list(
        initiative.expected_results.order_by("number").prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("number").prefetch_related(values))
        )
    )
    indicator_rows = []
    for result in results:
        for indicator in result.indicators.all():
            by_quarter = {v.quarter.number: v for v in indicator.values.all()}
            indicator_rows.append({"indicator": indicator, "values": [by_quarter.get(q.number) for q in quarters]})
    updates = list(initiative.status_updates.all())
    history = history_rows(
        StatusUpdate.history.filter(initiative_id=initiative.pk).select_related("quarter"),
        IndicatorValue.history.filter(indicator__expected_result__initiatives=initiative).select_related(
            "quarter", "indicator"
        ),
        LearningReflection.history.filter(learning_question__priority_id=initiative.priority_id).select_related(
            "quarter"
        ),
    )
    member_ids = {m.user_id for m in initiative.memberships.all()}
    by_quarter = _status_by_quarter(initiative)
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "plan": plan,
            "initiative": initiative,
            "previous": initiative.previous,
            "next": next_year,
            "quarters": quarters,
            "rows": [
                (q, by_quarter.get(q.number), reverse("initiatives:update", args=[initiative.pk, q.number]))
                for q in quarters
            ],
            "results": results,
            "indicator_rows": indicator_rows,
            "updates": updates,
            "history": history,
            "can_write": can_write_initiative(request.user, initiative, member_ids),
            "is_editor": is_editor(request.user),
            "events": list(initiative.events.select_related("quarter").order_by("quarter__number", "start_date")),
        },
    )


# What a change to the tracking is not about: when and by whom it was saved.
HISTORY_IGNORED = {"updated_at", "created_at", "version", "author"}


def history_rows(*querysets, limit=100):
    """Every change to the tracking, newest first, each with the fields it changed (by
    their labels, in the form's order).

    Diffs are made in memory against the record before it (simple-history's
    ``diff_against``; one query per kind of thing, whatever the number of changes)."""
    rows = []
    for queryset in querysets:
        previous = {}
        for record in queryset.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            changed = []
            if before is not None:
                names = set(record.diff_against(before, excluded_fields=HISTORY_IGNORED).changed_fields)
                changed = [str(f.verbose_name) for f in record.instance_type._meta.fields if f.name in names]
            rows.append({"record": record, "kind": record.instance_type._meta.verbose_name, "changed": changed})
            previous[record.id] = record
    rows.sort(key=lambda row: row["record"].history_date, reverse=True)
    return rows[:limit]


def _form_context(initiative, quarter):
    indicators = list(
        Indicator.objects.filter(expected_result__initiatives=initiative)
        .select_related("expected_result__priority")
        .distinct()
        .order_by("expected_result__number", "number")
    )
    question = LearningQuestion.objects.filter(priority=initiative.priority).order_by("number").first()
    return indicators, question


@require_http_methods(["GET", "POST"])
def quarterly_update(request, pk: int, number: int):
    """GET shows the quarter's update form; POST saves it, all or nothing."""
    initiative = _initiative(pk, request.user)
    plan = plan_with_quarters(initiative.priority.annual_plan.slug)
    quarter = get_object_or_404(Quarter.objects.select_related("lock"), annual_plan=plan, number=number)
    require(can_write_initiative(request.user, initiative))
    indicators, question = _form_context(initiative, quarter)
    state = services.quarterly_state(initiative=initiative, quarter=quarter)
    update = StatusUpdate.objects.filter(initiative=initiative, quarter=quarter).first()
    conflict = None
    if request.method == "POST":
        form = QuarterlyUpdateForm(request.POST, indicators=indicators, question=question)
        if form.is_valid():
            try:
                services.quarterly_update_save(
                    user=request.user,
                    initiative=initiative,
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
                if "submit" in request.POST:
                    messages.success(request, _("Update submitted for review."))
                else:
                    messages.success(request, _("Draft saved."))
                if request.htmx:
                    return HttpResponseClientRedirect(initiative.get_absolute_url())
                return redirect(initiative.get_absolute_url())
    else:
        initial = {
            "status": state["status"] or None,
            "narrative": state["narrative"],
            "risks": state["risks"],
            "next_steps": state["next_steps"],
            "reflection": state["reflection"],
        }
        for indicator in indicators:
            initial[QuarterlyUpdateForm.indicator_field(indicator)] = state["values"].get(indicator.pk)
        form = QuarterlyUpdateForm(initial=initial, indicators=indicators, question=question)
    conflict_rows = fingerprint_form(form, conflict=conflict, state=state)
    context = {
        "plan": plan,
        "initiative": initiative,
        "quarter": quarter,
        "form": form,
        "update": update,
        "conflict": conflict,
        "conflict_rows": conflict_rows,
        "locked": quarter.locked,
        "action": reverse("initiatives:update", args=[initiative.pk, quarter.number]),
    }
    template = "initiatives/_update_form.html" if request.htmx else "initiatives/update_form.html"
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(request, template, context, status=status)


def fingerprint_form(form, *, conflict: EditConflict | None, state: dict) -> list[dict]:
    """Give a quarterly form the fingerprint of what it started from (``state``); after a
    conflict, of what is stored now, so that saving again, knowingly, keeps the user's
    words, which stay in the form. The rows of what someone else changed, if anything."""
    if conflict is None:
        form.initial["fingerprint"] = fingerprint(services.quarterly_values(state))
        return []
    form.data = form.data.copy()
    form.data["fingerprint"] = fingerprint(services.quarterly_values(conflict.current))
    return conflict_rows_of(form, conflict)


def conflict_rows_of(form, conflict: EditConflict) -> list[dict]:
    """What someone else changed, each by its label in the form, with what it holds now."""
    values = services.quarterly_values(conflict.current)
    rows = []
    for name in conflict.changed:
        value = values[name]
        if name == "status":
            value = Status(value).label if value else ""
        elif name.startswith("indicator_"):
            value = "" if value is None else formats.localize(value)
        label = form[name].label if name in form.fields else name
        rows.append({"label": label, "value": value})
    return rows


@require_POST
def review(request, pk: int, model=StatusUpdate):
    """An editor approves or returns a submitted update (``model``: an initiative's or an
    organisational priority's). With htmx the review cell is answered in place; without
    JavaScript the page is reloaded with a message."""
    update = get_object_or_404(model.objects.select_related("quarter"), pk=pk)
    require(is_editor(request.user))
    done, errors = None, []
    try:
        if request.POST.get("action") == "approve":
            services.status_update_approve(user=request.user, update=update)
            done = _("Update approved.")
        elif request.POST.get("action") == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["comment"])
            services.status_update_return(user=request.user, update=update, comment=form.cleaned_data["comment"])
            done = _("Update returned to its author.")
        else:
            raise ValidationError(_("Choose to approve or to return the update."))
    except ValidationError as error:
        errors = error.messages
    if request.htmx:
        update = model.objects.select_related("quarter__lock").get(pk=pk)
        context = {"update": update, "q": update.quarter, "is_editor": True, "done": done, "errors": errors}
        context["comment"] = request.POST.get("comment", "") if errors else ""
        return render(request, "initiatives/_review_cell.html", context, status=400 if errors else 200)
    for message in errors:
        messages.error(request, message)
    if done:
        messages.success(request, done)
    return redirect(_safe_next(request) or update.get_absolute_url())


def _safe_next(request) -> str:
    """Where the form asks to go back to, if it is a page of this site."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if allowed else ""


@require_POST
def lock_quarter(request, slug: str, number: int):
    """An editor locks or unlocks a quarter: in place with htmx, else back to the plan."""
    quarter = get_object_or_404(Quarter.objects.select_related("annual_plan"), annual_plan__slug=slug, number=number)
    require(is_editor(request.user))
    done, errors = None, []
    try:
        if request.POST.get("action") == "unlock":
            form = UnlockForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["reason"])
            services.quarter_unlock(user=request.user, quarter=quarter, reason=form.cleaned_data["reason"])
            done = _("%(quarter)s unlocked.") % {"quarter": quarter.code}
        else:
            form = LockForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.quarter_lock(user=request.user, quarter=quarter, reason=reason)
            done = _("%(quarter)s locked.") % {"quarter": quarter.code}
    except ValidationError as error:
        errors = error.messages
    if request.htmx:
        quarter = Quarter.objects.select_related("annual_plan", "lock").get(pk=quarter.pk)
        context = {"q": quarter, "plan": quarter.annual_plan, "done": done, "errors": errors}
        return render(request, "priorities/_quarter_lock.html", context, status=400 if errors else 200)
    for message in errors:
        messages.error(request, message)
    if done:
        messages.success(request, done)
    return redirect("initiatives:plan", slug)


@require_http_methods(["GET", "POST"])
def initiative_edit(request, pk: int):
    """An editor changes an initiative's title, description, results and team."""
    require(is_editor(request.user))
    team = Prefetch("memberships", queryset=Membership.objects.select_related("user"))
    initiative = get_object_or_404(
        Initiative.objects.select_related("priority__annual_plan").prefetch_related(team), pk=pk
    )
    people = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[STAFF, EDITORS])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    initial = {
        **texts_of(initiative, "title", "description"),
        "expected_results": list(initiative.expected_results.all()),
        "lead": initiative.lead,
        "members": [m.user for m in initiative.memberships.all() if m.role == Membership.Role.MEMBER],
    }
    form = InitiativeForm(request.POST or None, initial=initial, initiative=initiative, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_update(user=request.user, initiative=initiative, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Initiative saved."))
            return redirect(initiative.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    plan = plan_with_quarters(initiative.priority.annual_plan.slug)
    return render(
        request,
        "initiatives/initiative_form.html",
        {"plan": plan, "initiative": initiative, "form": form},
        status=status,
    )
