"""Year over year (issue 13, item 4): the annual plans of the strategic plan side by side,
as a page and a PDF read back: status counts at each year's end per priority, each
carried initiative's path, indicators' year-end values; a fixed number of queries. And
every report's PDF is tagged for screen readers (issue 14, item 2)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from initiatives.models import Indicator, IndicatorValue, Initiative, ReviewState, Status, StatusUpdate
from priorities.models import AnnualPlan, Quarter, StrategicPlan
from reporting import services
from reporting.builders import build_annual_report
from reporting.years import build_years_report, year_end_status
from tests.factories import grow

pytestmark = pytest.mark.django_db

STRATEGIC = "2022-2027"


def roll_over():
    call_command("rollover_plan", "2022-23", "2023-24", stdout=io.StringIO())


def signed_in(client, users, username):
    client.force_login(users[username])
    return client


def approve(code: str, quarter: int, status: str):
    """An approved update of 2023-24's initiative ``code`` in ``quarter``."""
    priority, number = (int(n) for n in code.split("."))
    initiative = Initiative.objects.get_by_natural_key("2023-24", priority, number)
    quarter = initiative.priority.annual_plan.quarters.get(number=quarter)
    StatusUpdate.objects.create(
        initiative=initiative, quarter=quarter, status=status, narrative="…", review_state=ReviewState.APPROVED
    )


def test_a_year_ends_completed_if_completed_in_any_quarter():
    assert year_end_status([]) is None
    assert year_end_status([Status.ON_TRACK, Status.AT_RISK]) == Status.AT_RISK
    assert year_end_status([Status.COMPLETED, Status.ON_TRACK]) == Status.COMPLETED


def test_one_year_alone_reads_as_its_annual_report(users):
    report = build_years_report(StrategicPlan.objects.get(slug=STRATEGIC))
    assert [y.slug for y in report.years] == ["2022-23"]
    annual = build_annual_report(AnnualPlan.objects.select_related("strategic_plan").get(slug="2022-23"))
    assert [p.counts[0] for p in report.priorities] == list(annual.year_end_by_priority)
    assert report.paths == ()


def test_two_years_side_by_side(users):
    roll_over()
    approve("1.1", 1, Status.COMPLETED)
    approve("1.2", 1, Status.AT_RISK)
    approve("1.2", 2, Status.ON_TRACK)
    report = build_years_report(StrategicPlan.objects.get(slug=STRATEGIC))

    assert [y.slug for y in report.years] == ["2022-23", "2023-24"]
    annual = build_annual_report(AnnualPlan.objects.select_related("strategic_plan").get(slug="2022-23"))
    first = report.priorities[0]
    assert first.counts[0] == annual.year_end_by_priority[0]
    # 2023-24's priority 1: 1.1 completed, 1.2 on track (its last approved), no 1.3 (left behind)
    assert first.counts[1].count(Status.COMPLETED) == 1 and first.counts[1].count(Status.ON_TRACK) == 1
    assert first.counts[1].total == 2

    paths = {path.latest.code: path for path in report.paths}
    assert len(paths) == 13 and "1.3" not in paths
    old_ends = {row.code: entry.status if entry else None for row, entry in annual.year_end}
    assert [(s.code, s.status) for s in paths["1.1"].steps] == [("1.1", old_ends["1.1"]), ("1.1", Status.COMPLETED)]
    assert paths["2.1"].steps[1].status is None  # nothing approved yet in 2023-24

    by_code = {row.code: row for row in report.indicators}
    assert len(by_code) == 17
    for code, row in by_code.items():
        old = Indicator.objects.get_by_natural_key("2022-23", *(int(n) for n in code.split(".")))
        last = IndicatorValue.objects.filter(indicator=old).order_by("-quarter__number").first()
        then, now = row.years
        assert (then.baseline, then.target) == (old.baseline, old.target)
        assert then.value == (last.value if last else None)
        assert now.baseline == (last.value if last else old.baseline) and now.target is None and now.value is None


def test_the_page_and_its_pdf(client, users):
    roll_over()
    approve("1.1", 1, Status.COMPLETED)
    board = signed_in(client, users, "board")
    page = board.get(reverse("reporting:years", args=[STRATEGIC]), {"lang": "en"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Year over year" in html and "2022-23" in html and "2023-24" in html
    assert "Initiatives carried from year to year" in html and "CIVICUS Lens" in html
    listing = board.get(reverse("reporting:list")).content.decode()
    assert reverse("reporting:years", args=[STRATEGIC]) in listing

    response = board.get(reverse("reporting:years-pdf", args=[STRATEGIC]), {"lang": "en"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for words in ["Year over year", "Each priority at each year's end", "Indicators year by year", "2023-24"]:
        assert words in text
    assert "1.1 CIVICUS Lens" in text and "target to set" in text


def test_an_unknown_strategic_plan_is_not_found_and_anonymous_readers_sign_in(client, users):
    assert signed_in(client, users, "board").get(reverse("reporting:years", args=["1999-2000"])).status_code == 404
    client.logout()
    response = client.get(reverse("reporting:years", args=[STRATEGIC]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_runs_the_same_queries_with_one_year_and_two_grown(client, users, django_assert_num_queries):
    client = signed_in(client, users, "editor")
    url = reverse("reporting:years", args=[STRATEGIC])
    with django_assert_num_queries(YEARS_QUERIES):
        assert client.get(url).status_code == 200
    grow(users)
    roll_over()
    with django_assert_num_queries(YEARS_QUERIES):
        assert client.get(url).status_code == 200


# session, user, groups; the strategic plan; the builder's six reads (plans, approved
# updates, initiatives, priorities, indicator values, indicators); the organisation on the
# cover (1); the request's savepoint and its release (2).
YEARS_QUERIES = 13


# --- Tagged PDFs (issue 14, item 2) ---------------------------------------------------------


@pytest.mark.documents
@pytest.mark.parametrize(
    "url",
    [
        "/reports/2022-23/q2/pdf/",
        "/reports/2022-23/annual/pdf/",
        "/reports/2022-23/q1/board/pdf/",
        f"/reports/{STRATEGIC}/years/pdf/",
    ],
    ids=["quarterly", "annual", "board-update", "years"],
)
def test_every_report_pdf_is_tagged_for_screen_readers(client, users, url):
    """PDF/UA-1: marked as tagged, a structure tree with headings and tables, the document's
    language and its title shown in the reader's title bar."""
    language = "fr"
    if "/board/" in url:  # a published board update: its French document, frozen by the publication
        editor = users["editor"]
        quarter = Quarter.objects.get(annual_plan__slug="2022-23", number=1)
        update = services.board_update_save(user=editor, quarter=quarter, message_fr="Chers membres du Conseil.")
        services.board_update_publish(user=editor, update=update, plan=quarter.annual_plan, language="en")
    response = signed_in(client, users, "board").get(url, {"lang": "fr"})
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == language
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title
    kinds = set()

    def walk(node, depth=0):
        node = node.get_object()
        if "/S" in node:
            kinds.add(str(node["/S"]))
        children = node.get("/K")
        if children is None or depth > 40:
            return
        for child in children if isinstance(children, list) else [children]:
            child = child.get_object() if hasattr(child, "get_object") else child
            if isinstance(child, dict):
                walk(child, depth + 1)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/P"} <= kinds
    if "board" not in url:
        assert "/Table" in kinds and "/TH" in kinds
