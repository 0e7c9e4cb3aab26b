"""A read-only JSON view of an annual plan for other tools: the plan, its quarters, its
priorities with their expected results, each initiative's lead and latest status, and its
organisational priorities with theirs. The plan's text in each language, a key per language
(``title_fr``, ``title_en``; null where a translation is missing), whatever the reader's.

Same readers as the plan page (a role is needed). Answers in JSON even when it refuses,
so the view opts out of LoginRequiredMiddleware's redirect to the sign-in page and says
401 itself. A fixed number of queries whatever the plan's size.
"""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page

from civicplan.permissions import can_read
from civicplan.translations import texts_of
from priorities.models import AnnualPlan, ExpectedResult, OrganisationalPriority, Quarter, StrategicPriority

from .models import Initiative, OrganisationalUpdate, ReviewedUpdate, StatusUpdate, organisational_lead
from .querysets import lead_prefetch


def _error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def plan_for_api(slug: str, user) -> AnnualPlan | None:
    """The plan with everything the API shows, or None: nine queries."""
    initiatives = Initiative.objects.order_by("number").prefetch_related(
        lead_prefetch(),
        Prefetch(
            "status_updates",
            queryset=StatusUpdate.objects.visible_to(user).select_related("quarter").order_by("quarter__number"),
            to_attr="updates",
        ),
    )
    priorities = StrategicPriority.objects.order_by("number").prefetch_related(
        Prefetch("expected_results", queryset=ExpectedResult.objects.order_by("number")),
        Prefetch("initiatives", queryset=initiatives),
    )
    # The lead is joined (one lead at most, a one-to-one), the updates prefetched.
    organisational = (
        OrganisationalPriority.objects.select_related("leadership__user")
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=OrganisationalUpdate.objects.visible_to(user)
                .select_related("quarter")
                .order_by("quarter__number"),
                to_attr="visible_updates",
            )
        )
    )
    return (
        AnnualPlan.objects.select_related("strategic_plan")
        .prefetch_related(
            Prefetch("quarters", queryset=Quarter.objects.select_related("lock").order_by("number")),
            Prefetch("priorities", queryset=priorities),
            Prefetch("organisational_priorities", queryset=organisational),
        )
        .filter(slug=slug)
        .first()
    )


def _latest_status(updates: list[ReviewedUpdate]) -> dict | None:
    """The latest of the updates the reader may read (ordered by quarter), or None."""
    if not updates:
        return None
    latest = updates[-1]
    return {
        "quarter": latest.quarter.number,
        "status": latest.status,
        "review_state": latest.review_state,
        # What readers of approved updates read: while a revision waits, the status
        # approved before it; None when nothing is approved yet.
        "approved_status": latest.approved_text.status if latest.approved_text else None,
        "updated_at": latest.updated_at.isoformat(),
    }


def _initiative(initiative: Initiative) -> dict:
    return {
        "code": initiative.code,
        "number": initiative.number,
        **texts_of(initiative, "title"),
        "lead": initiative.leads[0].user.username if initiative.leads else None,
        "latest_status": _latest_status(initiative.updates),
    }


def _organisational(priority: OrganisationalPriority) -> dict:
    lead = organisational_lead(priority)
    return {
        "area": priority.area,
        "number": priority.number,
        **texts_of(priority, "title"),
        "lead": lead.username if lead else None,
        "latest_status": _latest_status(priority.visible_updates),
    }


def plan_data(plan: AnnualPlan) -> dict:
    strategic = plan.strategic_plan
    return {
        "plan": {
            "slug": plan.slug,
            **texts_of(plan, "title"),
            "start_date": plan.start_date.isoformat(),
            "end_date": plan.end_date.isoformat(),
            "strategic_plan": {
                "slug": strategic.slug,
                **texts_of(strategic, "title", "overall_goal"),
            },
        },
        "quarters": [
            {
                "number": q.number,
                "start_date": q.start_date.isoformat(),
                "end_date": q.end_date.isoformat(),
                "locked": q.locked,
            }
            for q in plan.quarters.all()
        ],
        "priorities": [
            {
                "number": p.number,
                **texts_of(p, "title", "short_title", "statement"),
                "expected_results": [{"number": r.number, **texts_of(r, "text")} for r in p.expected_results.all()],
                "initiatives": [_initiative(i) for i in p.initiatives.all()],
            }
            for p in plan.priorities.all()
        ],
        "organisational_priorities": [_organisational(p) for p in plan.organisational_priorities.all()],
    }


@login_not_required
@cache_control(private=True, no_cache=True)
@conditional_page
def plan(request, slug: str):
    """GET (or HEAD) /api/plans/<slug>/: the plan as JSON. Kept by the reader's client only
    and asked again each time: its ETag answers 304 when nothing it holds changed."""
    if request.method not in ("GET", "HEAD"):
        response = _error("Method not allowed.", 405)
        response["Allow"] = "GET, HEAD"
        return response
    if not request.user.is_authenticated:
        return _error("Sign in first.", 401)
    if not can_read(request.user):
        return _error("You do not have access to the plan.", 403)
    annual_plan = plan_for_api(slug, request.user)
    if annual_plan is None:
        return _error("No such plan.", 404)
    return JsonResponse(plan_data(annual_plan))
