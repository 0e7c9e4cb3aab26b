"""The pages' figures: SQL queries and server time of each page at two sizes of plan.

Every page is requested in-process through Django's test ``Client``, signed in as an
editor, so a figure is the server's own work (URL routing, middleware, views, queries,
templates), without a network or a browser. Each run of a page is followed by a run of
/healthz, the trivial view, so that both share the machine's noise of the moment; a page's
time is then read as a ratio to /healthz's.
"""

import contextlib
import dataclasses
import datetime
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

QUARTER = 2  # the quarter of the reports and of the board update


@dataclass(frozen=True)
class Target:
    """A plan the pages are measured on."""

    label: str  # "1x", "20x"
    slug: str
    initiative: int  # the pk of its initiative 1.1
    strategic: str  # its strategic plan's slug
    meeting: int | None = None  # the pk of its board meeting (record_meetings)


@dataclass(frozen=True)
class Page:
    name: str
    path: object  # Target -> str

    def url(self, target: Target) -> str:
        return self.path(target)

    def context(self, target: Target):
        return contextlib.nullcontext()


class Dashboard(Page):
    """The dashboard shows "the current plan", the one whose reporting round is open (or
    else was opened last). The bench's plans have no rounds, so which one that is would be
    a toss-up: it is pointed at the plan measured. ``current_plan`` still runs, for its
    query, as in a real request."""

    def context(self, target: Target):
        from priorities.models import AnnualPlan
        from reporting import home

        plan = AnnualPlan.objects.get(slug=target.slug)
        real = home.current_plan

        def current_plan():
            real()
            return plan

        return mock.patch.object(home, "current_plan", current_plan)


class ChartsDrawn(Page):
    """The page as its first reader after a change sees it: the data version moved and the
    cache emptied just before, so the report is made again and every chart drawn (readers
    after that get the stored report, as on every other row, whose warm-up runs make it)."""

    def context(self, target: Target):
        from django.core.cache import cache

        from civicplan import versions

        versions.changed()
        cache.clear()
        return contextlib.nullcontext()


class AfterAnEdit(Page):
    """The page as its first reader after an editor's everyday change sees it: priority 1's
    statement revised (a save through the model, which moves the data version), the charts
    already drawn kept: each is stored under its own data, which the edit did not change."""

    REVISED = " (révisé)"

    def context(self, target: Target):
        from priorities.models import StrategicPriority

        priority = StrategicPriority.objects.get(annual_plan__slug=target.slug, number=1)
        statement = priority.statement_fr
        revised = statement.endswith(self.REVISED)
        priority.statement_fr = statement.removesuffix(self.REVISED) if revised else statement + self.REVISED
        priority.save(update_fields=["statement_fr"])
        return contextlib.nullcontext()


PAGES = (
    Dashboard("dashboard", lambda t: reverse("dashboard")),
    Page("plan", lambda t: reverse("initiatives:plan", args=[t.slug])),
    Page("priority 1", lambda t: reverse("initiatives:priority", args=[t.slug, 1])),
    Page("initiative 1.1", lambda t: reverse("initiatives:detail", args=[t.initiative])),
    Page("calendar", lambda t: reverse("priorities:calendar", args=[t.slug])),
    Page("API", lambda t: reverse("initiatives:api-plan", args=[t.slug])),
    Page("round Q3 (tracker)", lambda t: reverse("initiatives:round", args=[t.slug, 3])),
    Page(f"quarterly report Q{QUARTER}", lambda t: reverse("reporting:quarterly", args=[t.slug, QUARTER])),
    AfterAnEdit(
        f"quarterly report Q{QUARTER}, first view after an edit",
        lambda t: reverse("reporting:quarterly", args=[t.slug, QUARTER]),
    ),
    ChartsDrawn(
        f"quarterly report Q{QUARTER}, first view after a change, cache emptied",
        lambda t: reverse("reporting:quarterly", args=[t.slug, QUARTER]),
    ),
    Page(
        f"quarterly report Q{QUARTER} PDF (stored)",
        lambda t: reverse("reporting:quarterly-pdf", args=[t.slug, QUARTER]),
    ),
    Page(
        f"quarterly report Q{QUARTER} XLSX (stored)",
        lambda t: reverse("reporting:quarterly-xlsx", args=[t.slug, QUARTER]),
    ),
    Page(f"board update Q{QUARTER} (published)", lambda t: reverse("reporting:board", args=[t.slug, QUARTER])),
    Page("annual report", lambda t: reverse("reporting:annual", args=[t.slug])),
    Page("years (comparison)", lambda t: reverse("reporting:years", args=[t.strategic])),
    Page(f"board meeting Q{QUARTER} pack (page)", lambda t: reverse("reporting:meeting", args=[t.slug, t.meeting])),
)
BOARD_PDF = Page(
    f"board update Q{QUARTER} PDF (published)", lambda t: reverse("reporting:board-pdf", args=[t.slug, QUARTER])
)
HEALTHZ = "/healthz"


class Timed:
    """The median of a measure's ``seconds`` and its ratio to /healthz's (``base_seconds``),
    timed alongside."""

    seconds: list[float]
    base_seconds: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def base_p50(self) -> float:
        return statistics.median(self.base_seconds)

    @property
    def ratio(self) -> float:
        return self.p50 / self.base_p50


@dataclass
class Figures(Timed):
    """One page at one size: its queries and its server times, with /healthz's beside."""

    page: str
    target: Target
    queries: list[str]
    seconds: list[float] = field(default_factory=list)
    base_seconds: list[float] = field(default_factory=list)


def target(label: str, slug: str) -> Target:
    from initiatives.models import Initiative

    initiative = Initiative.objects.select_related("priority__annual_plan__strategic_plan").get(
        priority__annual_plan__slug=slug, priority__number=1, number=1
    )
    strategic = initiative.priority.annual_plan.strategic_plan.slug
    return Target(label=label, slug=slug, initiative=initiative.pk, strategic=strategic)


def get(client, url: str, expected: int = 200):
    response = client.get(url)
    if response.status_code != expected:
        raise SystemExit(f"GET {url} answered {response.status_code}, not {expected}: the bench measures working pages")
    return response


def publish_board_updates(client, targets: list[Target]) -> dict[str, float]:
    """Write and publish each plan's board update through the views, as an editor does;
    the seconds each publication took (it renders and stores the PDF)."""
    from reporting.models import BoardUpdate

    seconds = {}
    for t in targets:
        board = reverse("reporting:board", args=[t.slug, QUARTER])
        message = {"message_fr": "Chers membres du Conseil, voici où en est le plan.", "highlights_fr": "Un\nDeux"}
        response = client.post(board, message)
        if response.status_code != 302:
            raise SystemExit(f"saving the board update of {t.slug} answered {response.status_code}")
        start = time.perf_counter()
        # Published from its confirmation page, in the plan's language.
        client.post(reverse("reporting:board-publish", args=[t.slug, QUARTER]), {"confirm": "True", "language": "fr"})
        seconds[t.label] = time.perf_counter() - start
        if not BoardUpdate.objects.filter(annual_plan__slug=t.slug, state=BoardUpdate.State.PUBLISHED).exists():
            raise SystemExit(f"the board update of {t.slug} was not published")
    return seconds


MEETING_AGENDA = (
    "Ouverture et adoption de l'ordre du jour",
    "Mise à jour de la Secrétaire générale",
    "Discussion approfondie : priorité 1",
    "Risques et initiatives qui appellent l'attention du Conseil",
    "Questions diverses et clôture",
)


def record_meetings(client, targets: list[Target]) -> list[Target]:
    """Record each plan's board meeting through the editors' form, as an editor does: it
    reviews the quarter whose board update was published (publish_board_updates), priority 1
    in depth, five agenda items; the targets, each with its meeting."""
    from priorities.models import Quarter, StrategicPriority
    from reporting.models import BoardMeeting

    recorded = []
    for t in targets:
        quarter = Quarter.objects.get(annual_plan__slug=t.slug, number=QUARTER)
        data = {
            "date": (quarter.end_date + datetime.timedelta(days=40)).isoformat(),
            "title": "Réunion du Conseil d'administration",
            "place": "En ligne",
            "quarter": quarter.pk,
            "priority": StrategicPriority.objects.get(annual_plan__slug=t.slug, number=1).pk,
            "agenda-TOTAL_FORMS": len(MEETING_AGENDA),
            "agenda-INITIAL_FORMS": 0,
            "agenda-MIN_NUM_FORMS": 0,
            "agenda-MAX_NUM_FORMS": 1000,
        }
        for n, title in enumerate(MEETING_AGENDA):
            data |= {f"agenda-{n}-order": n + 1, f"agenda-{n}-title": title, f"agenda-{n}-presenter": "Présidence"}
        response = client.post(reverse("reporting:meeting-create", args=[t.slug]), data)
        if response.status_code != 302:
            raise SystemExit(f"recording the board meeting of {t.slug} answered {response.status_code}")
        meeting = BoardMeeting.objects.filter(annual_plan__slug=t.slug).order_by("-pk").first()
        recorded.append(dataclasses.replace(t, meeting=meeting.pk))
    return recorded


def count_queries(client, page: Page, t: Target) -> list[str]:
    with page.context(t), CaptureQueriesContext(connection) as captured:
        get(client, page.url(t))
    return [query["sql"] for query in captured.captured_queries]


def measure_page(client, page: Page, targets: list[Target], *, repeats: int, warmups: int) -> list[Figures]:
    """The page's queries at each size (counted in a run of their own: counting slows the
    run), then ``warmups`` + ``repeats`` rounds of: the page at each size, each followed by
    /healthz. The warm-up rounds are not kept."""
    figures = [Figures(page=page.name, target=t, queries=count_queries(client, page, t)) for t in targets]
    urls = [page.url(t) for t in targets]
    for round_ in range(warmups + repeats):
        for figure, url in zip(figures, urls, strict=True):
            with page.context(figure.target):
                start = time.perf_counter()
                get(client, url)
                seconds = time.perf_counter() - start
            start = time.perf_counter()
            get(client, HEALTHZ)
            base = time.perf_counter() - start
            if round_ >= warmups:
                figure.seconds.append(seconds)
                figure.base_seconds.append(base)
    return figures


def measure_pages(client, targets: list[Target], *, repeats: int, warmups: int, pages=PAGES) -> list[list[Figures]]:
    """Every page at every size: one list of figures (one per target) per page."""
    return [measure_page(client, page, targets, repeats=repeats, warmups=warmups) for page in pages]


_NUMBERS = re.compile(r"\b\d+\b|'[^']*'")


def query_shapes(queries: list[str]) -> Counter:
    """The queries with their numbers and strings taken out, counted: two runs of a page on
    plans of different sizes should give the same shapes the same number of times."""
    return Counter(_NUMBERS.sub("?", sql) for sql in queries)


def query_difference(small: list[str], large: list[str], limit: int = 3) -> list[str]:
    """The query shapes run a different number of times, for the report of a DIFFERENT."""
    a, b = query_shapes(small), query_shapes(large)
    lines = []
    for shape in sorted(set(a) | set(b), key=lambda s: -abs(b[s] - a[s])):
        if a[shape] != b[shape]:
            lines.append(f"{a[shape]} -> {b[shape]} times: {shape[:160]}")
    return lines[:limit]
