"""The benchmark's page measure, run small so that it does not rot: every page answers on
two synthetic plans, with as many queries on the larger. No figure of time is checked."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from bench import documents, pages
from civicplan.roles import EDITORS
from reporting.models import BoardUpdate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_page_measure_runs_every_page_on_two_sizes_of_plan(client):
    call_command("generate_synthetic_plan", "--scale", "1", verbosity=0)
    call_command("generate_synthetic_plan", "--scale", "2", verbosity=0)
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    targets = [pages.target("1x", "synthetic-x1"), pages.target("2x", "synthetic-x2")]

    pages.publish_board_updates(client, targets)
    assert BoardUpdate.objects.filter(state=BoardUpdate.State.PUBLISHED).count() == 2
    targets = pages.record_meetings(client, targets)
    assert all(t.meeting for t in targets)
    # The meeting pack's PDF view is measured as a page here (one render a plan), for its queries.
    measured_pages = (*pages.PAGES, pages.BOARD_PDF, documents.MEETING_PDF)

    measured = pages.measure_pages(client, targets, repeats=1, warmups=0, pages=measured_pages)

    assert [figures[0].page for figures in measured] == [page.name for page in measured_pages]
    for small, large in measured:
        assert (small.target.label, large.target.label) == ("1x", "2x")
        assert len(small.seconds) == len(small.base_seconds) == 1
        # The bench's EQUAL: a page runs as many queries on a plan twice the size.
        assert len(small.queries) == len(large.queries) > 0, (
            small.page,
            pages.query_difference(small.queries, large.queries),
        )


def test_the_meeting_pack_html_is_what_its_pdf_view_renders(client):
    """What the meeting PDF's base (WeasyPrint alone) is given: the pack's document."""
    call_command("generate_synthetic_plan", "--scale", "1", verbosity=0)
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    (target,) = pages.record_meetings(client, [pages.target("1x", "synthetic-x1")])

    html = documents.meeting_html(target, "fr")

    assert html.startswith("<!doctype html>") and "Discussion approfondie : priorité 1" in html


def test_a_difference_in_queries_names_the_query_that_repeats():
    small = ["SELECT * FROM plan WHERE id = 1", "SELECT * FROM initiative WHERE id = 7"]
    large = small + ["SELECT * FROM initiative WHERE id = 8", "SELECT * FROM initiative WHERE id = 9"]

    assert pages.query_difference(small, large) == ["1 -> 3 times: SELECT * FROM initiative WHERE id = ?"]
    assert pages.query_difference(small, list(reversed(small))) == []


def test_the_spreadsheet_measure_runs_small():
    """The same, for the XLSX measure: 40 rows, one run of each, so that it does not rot
    (a wrong import in it once went unseen until `make bench`)."""
    from bench import spreadsheets

    figures = spreadsheets.measure(repeats=1, import_repeats=1, trace_imports=False, rows=40)

    assert len(figures) == 4 and all(figure.seconds > 0 for figure in figures)
