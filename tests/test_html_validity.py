"""Every page a person visits is valid HTML: the Nu HTML Checker (vnu.jar, the W3C's) finds
no error in it (warnings may stay). The pages are rendered in-process with the demo plan,
written to files and checked in one run of the checker (one JVM start for all of them).

The checker comes from `make vnu` (see the Makefile). Without it, or without Java, the test
skips, or fails with CIVICPLAN_REQUIRE_VNU=1 (as in CI)."""

import datetime
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from initiatives.models import Indicator, Initiative, OrganisationalLead, Status
from priorities.models import AnnualPlan, Event
from reporting.meetings import board_meeting_save
from reporting.services import board_update_publish, board_update_save
from tests.helpers import form_as_shown

pytestmark = pytest.mark.documents

PLAN = "2022-23"
# A stored document (a published board update, served as it was sent) carries its print
# stylesheet, whose running headers use CSS paged media that WeasyPrint reads (string-set,
# string()): a W3C draft that the checker's CSS validator does not know. Only these pass.
PAGED_MEDIA = re.compile(
    r"CSS: (“string-set”: Property “string-set” doesn't exist|“content”: “string\([\w-]+\)” is not a “content” value)"
)


@pytest.fixture
def vnu() -> list[str]:
    """The checker's command, asked for first: a test without it skips before rendering."""
    jars = sorted(settings.BASE_DIR.glob(".vnu/vnu-jar-*/vnu.jar"))
    java = shutil.which("java")
    if jars and java:
        return [java, "-jar", str(jars[-1])]
    if not java:
        reason = "Java is not installed (no java on PATH), which the Nu HTML Checker needs"
    else:
        reason = "The Nu HTML Checker is missing (.vnu/vnu-jar-*/vnu.jar): make vnu fetches it (npm and Java)"
    if os.environ.get("CIVICPLAN_REQUIRE_VNU", "") not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CIVICPLAN_REQUIRE_VNU is set: this test may not be skipped)", pytrace=False)
    pytest.skip(reason)


def pages(client, users) -> dict[str, bytes]:
    """The pages, by name, each as one of its visitors sees it."""
    plan = AnnualPlan.objects.get(slug=PLAN)
    quarters = {quarter.number: quarter for quarter in plan.quarters.all()}
    editor = users["editor"]
    published = board_update_save(user=editor, quarter=quarters[1], message_fr="Chers membres du Conseil.")
    board_update_publish(user=editor, update=published, plan=plan)
    board_update_save(user=editor, quarter=quarters[2], message_fr="Brouillon.", highlights_fr="Une avancée.")
    meetings = {
        number: board_meeting_save(
            user=editor,
            plan=plan,
            fields={
                "date": quarters[number].end_date + datetime.timedelta(days=45),
                "title": f"Réunion du Conseil, T{number}",
                "place": "En ligne",
                "quarter": quarters[number],
                "priority": plan.priorities.get(number=number),
            },
            agenda=[{"title": "Ouverture", "presenter": "Présidence", "notes": "Dix minutes."}, {"title": "Clôture"}],
        )
        for number in (1, 2)
    }
    own = Initiative.objects.get_by_natural_key(PLAN, 1, 1)
    area = OrganisationalLead.objects.filter(user=users["staff"]).first().organisational_priority.area
    event = Event.objects.filter(annual_plan=plan).order_by("pk").first().slug
    result = (PLAN, 1, 1)
    # Indicator 1.1.1, by its number in its result (the URL's), not its database id.
    indicator = (*result, Indicator.objects.get_by_natural_key(*result, 1).number)

    found = {}

    def get(name, url, status=200):
        response = client.get(url)
        assert response.status_code == status, (name, url, response.status_code)
        found[name] = response.content

    def post(name, url, data, status=400):
        response = client.post(url, data)
        assert response.status_code == status, (name, url, response.status_code)
        found[name] = response.content

    get("login", reverse("login"))
    get("password-reset", reverse("password_reset"))
    get("password-reset-done", reverse("password_reset_done"))
    get("password-reset-complete", reverse("password_reset_complete"))
    reset = users["staff2"]  # never signed in here: its token stays valid
    uid, token = urlsafe_base64_encode(force_bytes(reset.pk)), default_token_generator.make_token(reset)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    assert response.status_code == 200 and "new_password1" in response.context["form"].fields
    found["password-reset-confirm"] = response.content
    get("password-reset-expired", reverse("password_reset_confirm", args=[uid, "0-0"]))
    found["500"] = render_to_string("500.html").encode()

    client.force_login(users["board"])
    get("dashboard-board", reverse("dashboard"))
    get("board-update-published", reverse("reporting:board", args=[PLAN, 1]))
    get("meetings", reverse("reporting:meetings", args=[PLAN]))
    get("meeting", reverse("reporting:meeting", args=[PLAN, meetings[1].pk]))

    client.force_login(users["staff"])
    get("dashboard-staff", reverse("dashboard"))
    update = reverse("initiatives:update", args=[own.pk, 3])
    get("update-form", update)
    post("update-form-errors", update, form_as_shown(client, update, status=Status.AT_RISK, risks="", narrative=""))
    organisational_update = reverse("initiatives:organisational_update", args=[PLAN, area, 3])
    get("organisational", reverse("initiatives:organisational", args=[PLAN, area]))
    get("organisational-form", organisational_update)
    data = form_as_shown(client, organisational_update, status=Status.AT_RISK, risks="", narrative="")
    post("organisational-form-errors", organisational_update, data)
    get("403", reverse("priorities:priority_edit", args=[PLAN, 1]), status=403)
    get("password-change", reverse("password_change"))
    post("password-change-errors", reverse("password_change"), {"old_password": "wrong"}, status=200)
    get("password-change-done", reverse("password_change_done"))

    client.force_login(editor)
    get("dashboard-editor", reverse("dashboard"))
    get("404", "/no-such-page/", status=404)
    get("plan", reverse("initiatives:plan", args=[PLAN]))
    get("priority", reverse("initiatives:priority", args=[PLAN, 1]))
    get("initiative", reverse("initiatives:detail", args=[own.pk]))
    get("initiative-edit", reverse("initiatives:edit", args=[own.pk]))
    get("round", reverse("initiatives:round", args=[PLAN, 3]))
    get("calendar", reverse("priorities:calendar", args=[PLAN]))
    get("about", reverse("priorities:about", args=[PLAN]))
    get("event-create", reverse("priorities:event_create", args=[PLAN]))
    get("event-edit", reverse("priorities:event_edit", args=[PLAN, event]))
    get("event-delete", reverse("priorities:event_delete", args=[PLAN, event]))
    get("priority-edit", reverse("priorities:priority_edit", args=[PLAN, 1]))
    get("result-create", reverse("priorities:expected_result_create", args=[PLAN, 1]))
    get("result-edit", reverse("priorities:expected_result_edit", args=result))
    get("result-delete", reverse("priorities:expected_result_delete", args=result))
    get("question-edit", reverse("priorities:learning_question_edit", args=result))
    get("indicator-create", reverse("initiatives:indicator_create", args=result))
    get("indicator-edit", reverse("initiatives:indicator_edit", args=indicator))
    get("indicator-delete", reverse("initiatives:indicator_delete", args=indicator))
    rollover = reverse("initiatives:rollover", args=[PLAN])
    get("rollover", rollover)
    preview = {"slug": "2023-24", "title": "Plan annuel 2023-2024", "action": "preview"}
    post("rollover-preview", rollover, preview, status=200)
    get("reports", reverse("reporting:list"))
    get("quarterly-report", reverse("reporting:quarterly", args=[PLAN, 2]))
    get("board-update-draft", reverse("reporting:board", args=[PLAN, 2]))
    get("board-update-new", reverse("reporting:board", args=[PLAN, 3]))
    get("board-update-publish", reverse("reporting:board-publish", args=[PLAN, 2]))
    post("board-update-publish-refused", reverse("reporting:board-publish", args=[PLAN, 2]), {}, status=400)
    get("annual-report", reverse("reporting:annual", args=[PLAN]))
    get("years-report", reverse("reporting:years", args=["2022-2027"]))
    get("meeting-no-update", reverse("reporting:meeting", args=[PLAN, meetings[2].pk]))
    get("meeting-create", reverse("reporting:meeting-create", args=[PLAN]))
    get("meeting-edit", reverse("reporting:meeting-edit", args=[PLAN, meetings[1].pk]))
    bad_meeting = {
        "date": "",
        "title": "<b>Réunion</b>",
        "agenda-TOTAL_FORMS": 2,
        "agenda-INITIAL_FORMS": 0,
        "agenda-MIN_NUM_FORMS": 0,
        "agenda-MAX_NUM_FORMS": 1000,
        "agenda-0-title": "<i>Ouverture</i>",
    }
    post("meeting-create-errors", reverse("reporting:meeting-create", args=[PLAN]), bad_meeting)
    return found


def page(url: str) -> str:
    """The page's name from the checker's address of its file (file:/tmp/.../<name>.html)."""
    return Path(unquote(urlparse(url).path)).stem or url


def test_every_page_is_valid_html(vnu, client, users, tmp_path):
    files = {}
    for name, html in pages(client, users).items():
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(html)
    result = subprocess.run(  # noqa: S603 - our own command and files
        [*vnu, "--errors-only", "--format", "json", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # The checker writes its report to stderr, and exits with 1 when it found an error
    # (the paged media's too): anything else is the checker failing, not the pages.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    report = json.loads(result.stderr)
    errors = [
        f"{page(message.get('url', ''))}:{message.get('lastLine', '?')}: {message['message']}"
        for message in report["messages"]
        if (message["type"] == "error" or message.get("subType") == "fatal")
        and not PAGED_MEDIA.match(message["message"])
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
