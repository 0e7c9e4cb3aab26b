"""axe-core on the admin pages admins use: no "critical" finding.

Changelists and change forms with inlines (an initiative, a status update, an annual plan,
an event), django-import-export's import (its preview too) and export pages, and
django-simple-history's history pages. The names Django leaves off (tabular inlines' inputs,
date-and-time inputs, autocomplete boxes) come from civicplan/admin_controls.py; underlined
links in the breadcrumbs from static/civicplan/admin.css.

"Serious" findings are printed with the critical ones; the only ones allowed are two in
Django's own scripts, which civicplan's templates and widgets cannot reach (KNOWN_SERIOUS).
"""

import re

import pytest
from django.conf import settings

from initiatives.models import Initiative, StatusUpdate
from priorities.models import AnnualPlan, Event

from .conftest import DESKTOP, TIMEOUT_MS, axe_violations, format_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Serious findings in markup that Django's own JavaScript writes after the page has loaded:
# - SelectFilter2.js (filter_horizontal) puts aria-label on a <span> with no role, for the
#   magnifier icon beside its filter boxes (its filter inputs are named by their labels);
# - select2 4.0.13 (the admin's autocomplete) gives the text of the chosen item a
#   role="textbox" with no name; the box a reader reaches (role="combobox") is named by
#   the field's title (admin_controls.name_controls).
KNOWN_SERIOUS = {
    "aria-prohibited-attr": re.compile(r"\.search-label-icon$"),
    "aria-input-field-name": re.compile(r"^#select2-id_[a-z_]+-container$"),
}


def _unexplained(violation: dict) -> list[dict]:
    known = KNOWN_SERIOUS.get(violation["id"])
    if violation["impact"] != "serious" or known is None:
        return violation["nodes"]
    return [node for node in violation["nodes"] if not known.search(" > ".join(map(str, node["target"])))]


@pytest.fixture
def admin_page(browser, live_server, demo_progress):
    """A desktop page signed in as the demo admin. Not ``new_page``: django-import-export's
    export template holds inline styles the CSP refuses (tests/browser/test_admin_export.py
    tells them apart); this test judges accessibility only."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-US", accept_downloads=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    login(page, live_server, "admin")
    yield page
    context.close()


def _pages() -> list[str]:
    initiative = Initiative.objects.get(priority__annual_plan__slug="2022-23", priority__number=1, number=2)
    update = StatusUpdate.objects.get(initiative=initiative, quarter__number=3)
    plan = AnnualPlan.objects.get(slug="2022-23")
    event = Event.objects.filter(annual_plan=plan, initiative__isnull=True).order_by("pk").first()
    # A history of their own to read: a save through the models records one.
    initiative.save()
    event.save()
    update.save()
    history = {
        "initiative": initiative.history.latest().history_id,
        "update": update.history.latest().history_id,
        "event": event.history.latest().history_id,
    }
    return [
        "/admin/",
        "/admin/initiatives/initiative/",
        "/admin/initiatives/initiative/?priority__id__exact=1&q=a",
        f"/admin/initiatives/initiative/{initiative.pk}/change/",  # memberships (tabular), updates (stacked)
        "/admin/initiatives/initiative/add/",
        "/admin/initiatives/statusupdate/",
        f"/admin/initiatives/statusupdate/{update.pk}/change/",  # date and time fields, autocomplete
        "/admin/initiatives/statusupdate/add/",
        "/admin/priorities/annualplan/",
        f"/admin/priorities/annualplan/{plan.pk}/change/",  # quarters (tabular), organisational priorities
        "/admin/priorities/event/",
        f"/admin/priorities/event/{event.pk}/change/",  # autocomplete with nothing chosen
        "/admin/priorities/strategicpriority/1/change/",  # initiatives (tabular), with change links
        "/admin/initiatives/indicator/1/change/",  # values (tabular), with selects
        "/admin/priorities/event/import/",
        "/admin/priorities/event/export/",
        "/admin/initiatives/statusupdate/export/",
        f"/admin/initiatives/initiative/{initiative.pk}/history/",
        f"/admin/initiatives/initiative/{initiative.pk}/history/{history['initiative']}/",
        f"/admin/initiatives/statusupdate/{update.pk}/history/{history['update']}/",
        f"/admin/priorities/event/{event.pk}/history/{history['event']}/",
    ]


def _judge(page, problems: list[str], serious: list[str]) -> None:
    page.wait_for_load_state("load")
    found = axe_violations(page)
    if critical := [v for v in found if v["impact"] == "critical"]:
        problems.append(f"{page.url}:\n{format_violations(critical)}")
    if unexplained := [{**v, "nodes": nodes} for v in found if (nodes := _unexplained(v)) and v["impact"] == "serious"]:
        problems.append(f"{page.url} (serious):\n{format_violations(unexplained)}")
    if all_serious := [v for v in found if v["impact"] == "serious"]:
        serious.append(f"{page.url}:\n{format_violations(all_serious)}")


# In two halves, which two test processes can take at once (about 20 s each, 70 s as one).
@pytest.mark.parametrize("half", [0, 1], ids=["pages-1", "pages-2-and-import-preview"])
def test_admin_pages_have_no_critical_finding(admin_page, half):
    page = admin_page
    problems, serious = [], []
    for path in _pages()[half::2]:
        response = page.goto(path)
        assert response.ok, f"{path}: {response.status}"
        _judge(page, problems, serious)
    if half == 1:
        _judge_import_preview(page, problems, serious)
    assert not problems, (
        "axe-core on the admin:\n" + "\n".join(problems) + "\n\nEvery serious finding:\n" + "\n".join(serious)
    )


def _judge_import_preview(page, problems: list[str], serious: list[str]) -> None:
    """The import's preview: the events, exported as CSV, sent back."""
    page.goto("/admin/priorities/event/export/")
    page.locator("select[name=format]").select_option(label="csv")
    with page.expect_download() as download:
        page.locator("#content form [type=submit]").last.click()
    page.goto("/admin/priorities/event/import/")
    page.locator("input[name=import_file]").set_input_files(download.value.path())
    page.locator("select[name=format]").select_option(label="csv")
    with page.expect_navigation():
        page.locator("#content form [type=submit]").last.click()
    assert page.locator("table.import-preview").count() == 1, "the import shows no preview"
    _judge(page, problems, serious)
