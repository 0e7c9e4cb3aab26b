"""Who gets what from every URL of civicplan: one table, one case per URL x role x method.

The URL patterns come from the URLconf itself (``get_resolver()``), admin included, so a
view added without a line in ``MATRIX`` fails ``test_every_url_is_in_the_table``, and so
does a line left behind by a view that is gone.

Reading the table
-----------------
One line per URL pattern, keyed by its qualified name (``initiatives:update``), or by its
route for a pattern without a name. In a key, ``{*}`` stands for one lowercase word (an app
label, a model name) and ``{a|b}`` for one of the words given. Of the lines a URL matches,
the one with the fewest ``{*}`` is its line, so an exception to an admin rule is a line of
its own; two lines tying for a URL is an error. ``key#variant`` asks the same URL again
over other data (``#pub``: the board update is published, ``#draft``, ``#none``).

``args`` fills the URL, comma-separated (``-``: none): ``plan`` the plan "2022-23";
``strat`` its strategic plan "2022-2027"; a number as is; ``init`` initiative 1.1 (led by
``staff``), or 2.1 (led by ``staff2``) for staff_other; ``upd`` a status update of that
initiative; ``org`` the area of the organisational priority ``staff`` leads (of one
``staff2`` leads for staff_other), ``oupd`` an update of it; ``event`` an event's slug;
``obj`` the first record of the admin line's model; ``pub``/``draft`` the published (Q1)
and the draft (Q2) board update; ``hist``/``hist1`` the last/first history record of the
record before it; ``app`` an admin app label; ``ctype`` the initiative content type;
``uid,token`` a valid password reset link (of ``staff2``); ``nope`` a path nothing
answers; ``?ac`` the query of an admin autocomplete. The plan's annual report has draft
lessons learned; ``annpub``/``annnone`` give the plan "2022-23" with its annual report
published (stored stand-ins) / with no lessons written, ``apub`` the published annual
report itself (an admin record); ``meet`` a board meeting of the plan (reviewing Q1, with an
agenda).

Roles: anonymous; staff_own and staff_other are ``staff`` (on an initiative they lead, on
one of ``staff2``'s where they are not in the team); editor; board; admin (the superuser).
A cell is the outcome of ``GET/POST``, one word when both agree; ``=`` under staff_other:
the URL is not tied to an initiative, so it would be the staff_own request again (no case).
Every POST is empty and CSRF is not enforced, so a role that may write gets its validation
answer and one that may not is refused.

Outcomes: ``ok`` 2xx; ``form`` 400, or 2xx re-showing a form with errors; ``redir`` 302
elsewhere than a sign-in page; ``login`` 302 to the sign-in page with ``?next=``;
``alogin`` 302 to the admin's sign-in page; ``401``, ``403``, ``404``, ``405``, ``500`` those
statuses. A case expected to answer otherwise than it does today is in ``KNOWN_BUGS``.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import AdminErrorList, AdminForm
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.template import Context
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from civicplan.models import Organisation
from initiatives.models import Initiative, Membership, OrganisationalLead, OrganisationalUpdate, StatusUpdate
from initiatives.services import quarter_lock
from priorities.models import AnnualPlan, CalendarToken, Event
from priorities.services import calendar_token_reset
from reporting.meetings import board_meeting_save
from reporting.models import AnnualReview, BoardMeeting
from reporting.services import annual_review_save, board_update_publish, board_update_save

PLAN = "2022-23"
ROLES = ["anonymous", "staff_own", "staff_other", "editor", "board", "admin"]
USERNAMES = {"staff_own": "staff", "staff_other": "staff", "editor": "editor", "board": "board", "admin": "admin"}
OUTCOMES = {"ok", "form", "redir", "login", "alogin", "401", "403", "404", "405", "500"}
QUERIES = {"?ac": "app_label=initiatives&model_name=membership&field_name=user&term=sta"}

# fmt: off
MATRIX = """
#                                                          anonymous           staff_other         board
# key                                           args                 staff_own           editor              admin
# The site: readers are staff, editors, the board and superusers (initiatives/permissions.py).
dashboard                                       -          login     ok/405    =         ok/405    ok/405    ok/405
healthz                                         -          ok/405    ok/405    =         ok/405    ok/405    ok/405
login                                           -          ok/form   redir     =         redir     redir     redir
logout                                          -          login     405/redir =         405/redir 405/redir 405/redir
password_change                                 -          login     ok/form   =         ok/form   ok/form   ok/form
password_change_done                            -          login     ok/405    =         ok/405    ok/405    ok/405
password_reset                                  -          ok/form   ok/form   =         ok/form   ok/form   ok/form
password_reset_done                             -          ok/405    ok/405    =         ok/405    ok/405    ok/405
password_reset_confirm                          uid,token  redir     redir     =         redir     redir     redir
password_reset_complete                         -          ok/405    ok/405    =         ok/405    ok/405    ok/405
set_language                                    -          redir     redir     =         redir     redir     redir
initiatives:api-plan                            plan       401/405   ok/405    =         ok/405    ok/405    ok/405
initiatives:plan                                plan       login     ok        =         ok        ok        ok
initiatives:priority                            plan,1     login     ok        =         ok        ok        ok
priorities:priority_edit                        plan,1     login     403       =         ok/form   403       ok/form
priorities:expected_result_create               plan,1     login     403       =         ok/form   403       ok/form
priorities:expected_result_edit                 plan,1,1   login     403       =         ok/form   403       ok/form
priorities:expected_result_delete               plan,1,1   login     403       =         ok/form   403       ok/form
priorities:learning_question_edit               plan,1,1   login     403       =         ok/form   403       ok/form
initiatives:indicator_create                    plan,1,1   login     403       =         ok/form   403       ok/form
initiatives:indicator_edit                      plan,1,1,1 login     403       =         ok/form   403       ok/form
initiatives:indicator_delete                    plan,1,1,1 login     403       =         ok/form   403       ok/form
priorities:about                                plan       login     ok/405    =         ok/405    ok/405    ok/405
priorities:calendar                             plan       login     ok        =         ok        ok        ok
priorities:calendar_ics                         plan       login     ok/405    =         ok/405    ok/405    ok/405
priorities:calendar_token                       plan       login     405/redir =         405/redir 405/redir 405/redir
priorities:calendar_feed                        plan,feed  ok/405    ok/405    =         ok/405    ok/405    ok/405
priorities:event_create                         plan       login     403       =         ok/form   403       ok/form
priorities:event_edit                           plan,event login     403       =         ok/form   403       ok/form
priorities:event_delete                         plan,event login     403       =         ok/redir  403       ok/redir
initiatives:lock                                plan,3     login     405/403   =         405/redir 405/403   405/redir
initiatives:round                               plan,3     login     ok/403    =         ok/redir  ok/403    ok/redir
initiatives:rollover                            plan       login     403       =         ok/form   403       ok/form
initiatives:detail                              init       login     ok        ok        ok        ok        ok
initiatives:edit                                init       login     403       403       ok/form   403       ok/form
initiatives:update                              init,3     login     ok/form   403       ok/form   403       ok/form
initiatives:review                              upd        login     405/403   405/403   405/redir 405/403   405/redir
initiatives:organisational                      plan,org   login     ok/403    ok/403    ok/redir  ok/403    ok/redir
initiatives:organisational_update               plan,org,3 login     ok/form   403       ok/form   403       ok/form
initiatives:organisational_review               oupd       login     405/403   405/403   405/redir 405/403   405/redir
reporting:list                                  -          login     ok/405    =         ok/405    ok/405    ok/405
reporting:quarterly                             plan,2     login     ok/405    =         ok/405    ok/405    ok/405
reporting:quarterly-pdf                         plan,2     login     ok/405    =         ok/405    ok/405    ok/405
reporting:quarterly-xlsx                        plan,2     login     ok/405    =         ok/405    ok/405    ok/405
reporting:years                                 strat      login     ok/405    =         ok/405    ok/405    ok/405
reporting:years-pdf                             strat      login     ok/405    =         ok/405    ok/405    ok/405
reporting:board                                 plan,2     login     404       =         ok/form   404       ok/form
reporting:board#pub                             plan,1     login     ok/404    =         ok/404    ok/404    ok/404
reporting:board#none                            plan,3     login     404       =         ok/form   404       ok/form
reporting:board-pdf                             plan,1     login     ok/405    =         ok/405    ok/405    ok/405
reporting:board-pdf#draft                       plan,2     login     404/405   =         ok/405    404/405   ok/405
reporting:board-pdf#none                        plan,3     login     404/405   =         404/405   404/405   404/405
reporting:board-publish                         plan,2     login     403       =         ok/form   403       ok/form
reporting:board-publish#pub                     plan,1     login     403       =         redir     403       redir
reporting:board-publish#none                    plan,3     login     403       =         404       403       404
reporting:annual                                plan       login     ok/403    =         ok/form   ok/403    ok/form
reporting:annual#pub                            annpub     login     ok/403    =         ok/redir  ok/403    ok/redir
reporting:annual-pdf                            plan       login     ok/405    =         ok/405    ok/405    ok/405
reporting:annual-pdf#pub                        annpub     login     ok/405    =         ok/405    ok/405    ok/405
reporting:annual-publish                        plan       login     403       =         ok/form   403       ok/form
reporting:annual-publish#pub                    annpub     login     403       =         redir     403       redir
reporting:annual-publish#none                   annnone    login     403       =         404       403       404
reporting:meetings                              plan       login     ok/405    =         ok/405    ok/405    ok/405
reporting:meeting-create                        plan       login     403       =         ok/form   403       ok/form
reporting:meeting                               plan,meet  login     ok/405    =         ok/405    ok/405    ok/405
reporting:meeting-edit                          plan,meet  login     403       =         ok/form   403       ok/form
reporting:meeting-pdf                           plan,meet  login     ok/405    =         ok/405    ok/405    ok/405
# The admin. AdminSite's own views send a signed-out visitor to the admin's sign-in page; a
# ModelAdmin's views are not marked login_not_required, so LoginRequiredMiddleware sends them to
# the site's first. Signed in without is_staff (editors, staff, board): the admin's sign-in page.
# An empty POST to import or export shows its (unbound) form again, as a GET does.
admin:index                                     -          alogin    alogin    =         alogin    alogin    ok
admin:login                                     -          ok/form   ok/form   =         ok/form   ok/form   redir/form
admin:logout                                    -          alogin    redir     =         redir     redir     405/redir
admin:password_change                           -          alogin    alogin    =         alogin    alogin    ok/form
admin:password_change_done                      -          alogin    alogin    =         alogin    alogin    ok/405
admin:app_list                                  app        alogin    alogin    =         alogin    alogin    ok
admin:jsi18n                                    -          alogin    alogin    =         alogin    alogin    ok/405
admin:autocomplete                              ?ac        alogin    alogin    =         alogin    alogin    ok/405
admin:view_on_site                              ctype,init alogin    alogin    =         alogin    alogin    redir
admin/(?P<url>.*)$                              nope       alogin    alogin    =         alogin    alogin    404
admin/{*}/{*}/<path:object_id>/                 obj        login     alogin    =         alogin    alogin    redir
admin:{*}_{*}_changelist                        -          login     alogin    =         alogin    alogin    ok
admin:{*}_{*}_add                               -          login     alogin    =         alogin    alogin    ok/form
admin:{*}_{*}_change                            obj        login     alogin    =         alogin    alogin    ok/form
admin:{*}_{*}_{delete|history}                  obj        login     alogin    =         alogin    alogin    ok
admin:{*}_{*}_simple_history                    obj,hist   login     alogin    =         alogin    alogin    ok/form
admin:{*}_{*}_{import|export}                   -          login     alogin    =         alogin    alogin    ok
admin:{*}_{*}_process_import                    -          login     alogin    =         alogin    alogin    405/ok
admin:auth_user_password_change                 obj        login     alogin    =         alogin    alogin    ok/form
admin:axes_{*}_add                              -          login     alogin    =         alogin    alogin    403
admin:axes_{*}_change                           obj        login     alogin    =         alogin    alogin    ok/redir
admin:priorities_quarterlockchange_add          -          login     alogin    =         alogin    alogin    403
admin:priorities_quarterlockchange_delete       obj        login     alogin    =         alogin    alogin    403
admin:priorities_quarterlockchange_change       obj        login     alogin    =         alogin    alogin    ok/403
admin:priorities_quarterlock_add                -          login     alogin    =         alogin    alogin    403
admin:priorities_quarterlock_delete             obj        login     alogin    =         alogin    alogin    403
admin:priorities_quarterlock_change             obj        login     alogin    =         alogin    alogin    ok/403
admin:priorities_reportinground_add             -          login     alogin    =         alogin    alogin    403
admin:priorities_reportinground_delete          obj        login     alogin    =         alogin    alogin    403
admin:priorities_reportinground_change          obj        login     alogin    =         alogin    alogin    ok/403
admin:priorities_calendartoken_add              -          login     alogin    =         alogin    alogin    403
admin:priorities_calendartoken_change           obj        login     alogin    =         alogin    alogin    ok/403
admin:reporting_boardupdate_add                 -          login     alogin    =         alogin    alogin    403
admin:reporting_boardupdate_change              draft      login     alogin    =         alogin    alogin    ok/form
admin:reporting_boardupdate_change#pub          pub        login     alogin    =         alogin    alogin    ok/403
admin:reporting_boardupdate_delete              draft      login     alogin    =         alogin    alogin    ok
admin:reporting_boardupdate_delete#pub          pub        login     alogin    =         alogin    alogin    403
admin:reporting_boardupdate_simple_history      draft,hist login     alogin    =         alogin    alogin    ok/form
admin:reporting_boardupdate_simple_history#pub  pub,hist1  login     alogin    =         alogin    alogin    ok/403
admin:reporting_annualreview_add                -          login     alogin    =         alogin    alogin    403
admin:reporting_annualreview_change#pub         apub       login     alogin    =         alogin    alogin    ok/403
admin:reporting_annualreview_delete#pub         apub       login     alogin    =         alogin    alogin    403
admin:reporting_annualreview_simple_history#pub apub,hist1 login     alogin    =         alogin    alogin    ok/403
admin:civicplan_organisation_add                -          login     alogin    =         alogin    alogin    403
"""
# fmt: on


# Cases known to answer wrongly today: (line, role, method) -> why. Each is a strict xfail, so
# the fix turns it into a failure that asks for its removal here.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Row:
    key: str
    args: tuple[str, ...]
    cells: dict  # role -> {"GET": outcome, "POST": outcome}, or None: no case of its own

    @property
    def base(self) -> str:
        return self.key.partition("#")[0]

    @property
    def is_variant(self) -> bool:
        return "#" in self.key

    @property
    def wildcards(self) -> int:
        return self.base.count("{*}")

    @functools.cached_property
    def regex(self) -> re.Pattern:
        parts = []
        for part in re.split(r"(\{[^}]*\})", self.base):
            if part == "{*}":
                parts.append("[a-z]+")
            elif part.startswith("{"):
                parts.append("(?:" + "|".join(re.escape(word) for word in part[1:-1].split("|")) + ")")
            else:
                parts.append(re.escape(part))
        return re.compile("".join(parts))

    def matches(self, url_key: str) -> bool:
        return self.regex.fullmatch(url_key) is not None


def _parse(table: str) -> dict[str, Row]:
    rows = {}
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        key, args, *cells = line.split()
        assert len(cells) == len(ROLES), f"{key}: {len(cells)} cells for {len(ROLES)} roles"
        parsed = {}
        for role, cell in zip(ROLES, cells, strict=True):
            if cell == "=":
                assert role == "staff_other", f"{key}: '=' stands only under staff_other"
                parsed[role] = None
                continue
            get, _, post = cell.partition("/")
            outcomes = {"GET": get, "POST": post or get}
            assert set(outcomes.values()) <= OUTCOMES, f"{key}: unknown outcome in {cell!r}"
            parsed[role] = outcomes
        assert key not in rows, f"{key} twice in the table"
        rows[key] = Row(key, () if args == "-" else tuple(args.split(",")), parsed)
    return rows


ROWS = _parse(MATRIX)


# The URLconf ----------------------------------------------------------------------------


def _walk(patterns, namespace="", prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from _walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern)


def url_keys() -> list[str]:
    """Every URL pattern of the project, in resolution order: its qualified name, or its route
    when it has none (a name used twice, like ``login``, is one key: reverse() reaches the first)."""
    keys = []
    for name, route in _walk(get_resolver().url_patterns):
        if (name or route) not in keys:
            keys.append(name or route)
    return keys


def rows_for(url_key: str) -> list[Row]:
    """The line(s) a URL falls to: of the lines it matches, those with the fewest ``{*}``."""
    rows = [row for row in ROWS.values() if not row.is_variant and row.matches(url_key)]
    fewest = min((row.wildcards for row in rows), default=0)
    return [row for row in rows if row.wildcards == fewest]


def _cases():
    cases = []
    for url_key in url_keys():
        rows = rows_for(url_key)
        if len(rows) != 1:
            continue  # test_every_url_is_in_the_table says why
        variants = [row for row in ROWS.values() if row.is_variant and row.matches(url_key)]
        for row in [*rows, *variants]:
            label = url_key + row.key[len(row.base) :]
            for role in ROLES:
                if row.cells[role] is None:
                    continue
                for method in ("GET", "POST"):
                    bug = KNOWN_BUGS.get((row.key, role, method))
                    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
                    cases.append(
                        pytest.param(url_key, row.key, role, method, id=f"{label}|{role}|{method}", marks=marks)
                    )
    return cases


def test_every_url_is_in_the_table():
    keys = url_keys()
    problems = []
    for url_key in keys:
        rows = rows_for(url_key)
        if not rows:
            problems.append(f"URL {url_key!r} has no line in MATRIX")
        elif len(rows) > 1:
            problems.append(f"URL {url_key!r} falls to several lines: {[row.key for row in rows]}")
    for row in ROWS.values():
        if not any(row.matches(url_key) for url_key in keys):
            problems.append(f"line {row.key!r} matches no URL pattern")
    for row_key, _role, _method in KNOWN_BUGS:
        if row_key not in ROWS:
            problems.append(f"KNOWN_BUGS names {row_key!r}, which is not a line of MATRIX")
    assert not problems, "\n".join(problems)


# The data -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict  # username -> user
    own: Initiative  # led by staff
    other: Initiative  # led by staff2, staff not in its team
    updates: dict  # initiative pk -> one of its status updates' pk
    organisational: dict  # "own" / "other" -> (area of an organisational priority, an update's pk)
    event: str  # an event's slug
    records: dict  # admin model -> a record of it (None if there is none)
    board: dict  # "pub" / "draft" -> board update
    annual: AnnualReview  # the plan's annual report, its lessons learned in draft
    meeting: BoardMeeting  # a board meeting of the plan, with its agenda
    sessions: dict  # username -> session key of a signed-in session
    reset: tuple[str, str]  # uidb64, token of a valid password reset link


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo plan and accounts, a published (Q1) and a draft (Q2) board update, a locked
    Q4, sign-in records and a history record per admin model: built once for the module, in
    a transaction that every case nests in (pytest-django's ``db`` rolls each case back to a
    savepoint) and that is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> World:
    call_command("loaddata", "annual_plan_2022_23", verbosity=0)
    call_command("create_demo_users", "--force", verbosity=0)
    call_command("loaddata", "demo_progress_2022_23", verbosity=0)
    users = {user.username: user for user in get_user_model().objects.all()}
    plan = AnnualPlan.objects.get(slug=PLAN)
    quarters = {quarter.number: quarter for quarter in plan.quarters.all()}
    own = Initiative.objects.get_by_natural_key(PLAN, 1, 1)
    other = Initiative.objects.get_by_natural_key(PLAN, 2, 1)
    assert own.memberships.filter(user=users["staff"], role=Membership.Role.LEAD).exists()
    assert other.memberships.filter(user=users["staff2"], role=Membership.Role.LEAD).exists()
    assert not other.memberships.filter(user=users["staff"]).exists()
    organisational = {}
    for key, led in (("own", {"user": users["staff"]}), ("other", {"user": users["staff2"]})):
        lead = OrganisationalLead.objects.filter(**led).select_related("organisational_priority").first()
        update = OrganisationalUpdate.objects.filter(organisational_priority=lead.organisational_priority)
        organisational[key] = (lead.organisational_priority.area, update.order_by("pk").first().pk)

    editor = users["editor"]
    published = board_update_save(user=editor, quarter=quarters[1], message_fr="Chers membres du Conseil.")
    published = board_update_publish(user=editor, update=published, plan=plan)
    draft = board_update_save(user=editor, quarter=quarters[2], message_fr="Brouillon.")
    annual = annual_review_save(user=editor, plan=plan, lessons_fr="Ce que l'année nous a appris.")
    meeting = board_meeting_save(
        user=editor,
        plan=plan,
        fields={
            "date": datetime.date(2022, 11, 17),
            "title": "Réunion du Conseil",
            "place": "",
            "quarter": quarters[1],
            "priority": plan.priorities.get(number=1),
        },
        agenda=[{"title": "Ouverture", "presenter": "", "notes": ""}],
    )
    quarter_lock(user=editor, quarter=quarters[4], reason="Rapport envoyé.")
    Organisation.objects.create(name="CIVICUS")  # one at most: its add page is refused once it exists
    calendar_token_reset(user=users["board"])  # a subscription address, for the feed's row
    _sign_in_records(users["staff2"])

    records = {}
    for model in admin.site._registry:
        record = records[model] = model._default_manager.order_by("pk").first()
        if record is not None and hasattr(model, "history") and not model.history.filter(id=record.pk).exists():
            record.save()  # loading a fixture writes no history: one record for the History pages

    sessions = {}  # signed in once for the module, not once per case
    for username in set(USERNAMES.values()):
        client = Client()
        client.force_login(users[username])
        sessions[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    _store_report_files(sessions, meeting)
    # staff2 never signs in here, so the token (made from last_login too) stays valid.
    reset_user = users["staff2"]
    return World(
        users=users,
        own=own,
        other=other,
        updates={i.pk: StatusUpdate.objects.filter(initiative=i).order_by("pk").first().pk for i in (own, other)},
        organisational=organisational,
        event=Event.objects.filter(annual_plan=plan).order_by("pk").first().slug,
        records=records,
        board={"pub": published, "draft": draft},
        annual=annual,
        meeting=meeting,
        sessions=sessions,
        reset=(urlsafe_base64_encode(force_bytes(reset_user.pk)), default_token_generator.make_token(reset_user)),
    )


def _store_report_files(sessions: dict, meeting) -> None:
    """The report files the cases download, made once here for each audience (a reader's and
    an editor's) as a first reader makes them: every case is then served the stored file, as
    every reader after the first is. Who may download is decided before that, the same way.
    The world's data does not change after this (a case's writes are rolled back)."""
    urls = [
        reverse("reporting:quarterly-pdf", args=[PLAN, 2]),
        reverse("reporting:annual-pdf", args=[PLAN]),
        reverse("reporting:meeting-pdf", args=[PLAN, meeting.pk]),
    ]
    for username in ("board", "editor"):
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[username]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url


def _sign_in_records(user) -> None:
    """One row of each record django-axes keeps (attempts, failures, accesses), for its admin
    pages to open; the demo makes none."""
    if not apps.is_installed("axes"):
        return
    seen = {"user_agent": "pytest", "ip_address": "127.0.0.1", "username": user.username}
    seen |= {"http_accept": "text/html", "path_info": reverse("login")}
    apps.get_model("axes", "AccessAttempt").objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    apps.get_model("axes", "AccessFailureLog").objects.create(**seen)
    apps.get_model("axes", "AccessLog").objects.create(**seen)


def _admin_record(world: World, url_key: str):
    """A real record of the model whose admin URL this is."""
    for model in admin.site._registry:
        app, name = model._meta.app_label, model._meta.model_name
        if url_key.startswith((f"admin:{app}_{name}_", f"admin/{app}/{name}/")):
            if world.records[model] is None:
                pytest.fail(f"no {model._meta.label} to build {url_key} from: make one in _build_world()")
            return world.records[model]
    raise AssertionError(f"{url_key}: no admin model")


def _history_id(record, first: bool = False) -> int:
    versions = type(record).history.filter(id=record.pk).order_by("history_id" if first else "-history_id")
    return versions.values_list("history_id", flat=True).first()


def _annual_published(world: World) -> AnnualReview:
    """The world's annual report, published in this case only (rolled back after it), with
    stand-ins for its stored files: who may do what does not depend on their bytes."""
    AnnualReview.objects.filter(pk=world.annual.pk).update(
        state=AnnualReview.State.PUBLISHED,
        published_at=timezone.now(),
        published_by=world.users["editor"],
        language="en",
        fingerprint="f" * 64,
        html="<p>Rapport annuel publié</p>",
        html_sha256="a" * 64,
        pdf=b"%PDF-1.7 rapport annuel",
        pdf_sha256="b" * 64,
    )
    return world.annual


def _no_annual_review(world: World) -> str:
    AnnualReview.objects.filter(pk=world.annual.pk).delete()
    return PLAN


def _url(world: World, url_key: str, row: Row, role: str) -> str:
    initiative = world.other if role == "staff_other" else world.own
    own_or_other = "other" if role == "staff_other" else "own"
    record = None  # the admin record named so far, for hist/hist1

    def admin_record(found):
        nonlocal record
        record = found
        return found.pk

    values = {
        "plan": lambda: PLAN,
        "strat": lambda: "2022-2027",
        "init": lambda: initiative.pk,
        "upd": lambda: world.updates[initiative.pk],
        "org": lambda: world.organisational[own_or_other][0],
        "oupd": lambda: world.organisational[own_or_other][1],
        "event": lambda: world.event,
        "obj": lambda: admin_record(_admin_record(world, url_key)),
        "pub": lambda: admin_record(world.board["pub"]),
        "draft": lambda: admin_record(world.board["draft"]),
        "annpub": lambda: _annual_published(world).annual_plan.slug,
        "annnone": lambda: _no_annual_review(world),
        "apub": lambda: admin_record(_annual_published(world)),
        "meet": lambda: world.meeting.pk,
        "hist": lambda: _history_id(record),
        "hist1": lambda: _history_id(record, first=True),
        "app": lambda: "initiatives",
        "ctype": lambda: ContentType.objects.get_for_model(Initiative).pk,
        "uid": lambda: world.reset[0],
        "token": lambda: world.reset[1],
        "nope": lambda: "no-such-page",
        "feed": lambda: CalendarToken.objects.get(user__username="board").key,
    }
    args, query = [], ""
    for token in row.args:
        if token.startswith("?"):
            query = "?" + QUERIES[token]
        else:
            args.append(int(token) if token.isdigit() else values[token]())
    if "/" not in url_key:  # a name: routes have slashes, names never
        return reverse(url_key, args=args) + query
    # A route without a name: its parameters filled in order.
    filled = iter(args)
    path = re.sub(r"<[^>]+>|\(\?P<\w+>[^)]*\)", lambda match: str(next(filled)), url_key)
    return "/" + path.replace("^", "").replace("$", "") + query


# The answer -----------------------------------------------------------------------------


def _shows_form_errors(response) -> bool:
    contexts = response.context
    if contexts is None:
        return False
    for context in [contexts] if isinstance(contexts, Context) else contexts:
        for value in context.flatten().values():
            form = value.form if isinstance(value, AdminForm) else value
            if isinstance(form, BaseForm | BaseFormSet) and form.is_bound and not form.is_valid():
                return True
            if isinstance(value, AdminErrorList) and len(value):
                return True
    return False


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"])
        if location.path == reverse("admin:login"):
            return "alogin"
        if location.path == reverse("login") and "next=" in location.query:
            return "login"
        return "redir"
    if status == 400:
        return "form"
    if 200 <= status < 300:
        return "form" if _shows_form_errors(response) else "ok"
    return str(status)


def _describe(response) -> str:
    where = f" -> {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


@pytest.mark.django_db
@pytest.mark.parametrize(("url_key", "row_key", "role", "method"), _cases())
def test_permission(world, url_key, row_key, role, method):
    row = ROWS[row_key]
    url = _url(world, url_key, row, role)
    client = Client(raise_request_exception=False)  # a crash is an outcome too: 500
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[USERNAMES[role]]
    response = client.get(url) if method == "GET" else client.post(url)
    expected, got = row.cells[role][method], outcome(response)
    assert got == expected, f"{method} {url} as {role}: expected {expected}, got {got} ({_describe(response)})"
