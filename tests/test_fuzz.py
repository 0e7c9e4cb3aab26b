"""Generated input for every URL of the site, for every role (and the admin as its superuser): path
values, query strings and form posts of odd text (digits that are not ASCII, control and
direction characters, huge and empty values, numbers out of range, wrong types). None may
answer a server error (the test client raises the view's exception), and a refused post
(4xx) writes nothing.

Hypothesis draws the examples; the profile in tests/conftest.py bounds them (and makes a
run repeatable); HYPOTHESIS_PROFILE=deep draws many more."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import client_in, table_rows

pytestmark = pytest.mark.django_db

ROLES = [None, "staff", "staff2", "editor", "board", "admin"]
ODD = [
    "",
    " ",
    "²",
    "٣",
    "１",
    "-1",
    "0",
    "5",
    "99999999999999999999999",
    "1e309",
    "nan",
    "\x00",
    "\x0b",
    "\u202e",
    "<b>x</b>",
    "x" * 20_000,
    "2022-23",
    "q2",
    "2023-02-30",
    "[]",
    "../../etc/passwd",
]
TEXT = st.one_of(st.sampled_from(ODD), st.text(max_size=30))
PART = {
    "int": st.one_of(st.integers(min_value=0, max_value=2**63), st.sampled_from([0, 1, 2, 3, 4, 5])),
    "slug": st.one_of(st.just("2022-23"), st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True)),
    "str": st.text(min_size=1, max_size=60).filter(lambda text: text.strip("/.") != ""),
    "path": st.text(min_size=1, max_size=60),
}
FIELDS = st.dictionaries(
    st.one_of(
        st.sampled_from(["status", "narrative", "risks", "quarter", "title", "values", "indicators", "next", "action"]),
        st.text(max_size=10),
    ),
    st.one_of(TEXT, st.lists(TEXT, max_size=3)),
    max_size=6,
)
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def site_routes() -> list[str]:
    """Every route outside the admin, written with path() converters."""
    return sorted(
        {route for route in _routes(get_resolver().url_patterns) if not route.startswith(("admin/", "^", "__"))}
    )


def path_of(route: str, draw) -> str:
    def value(match):
        converter = match.group(1) or "str"
        return quote(str(draw(PART.get(converter, PART["str"]))), safe="")

    return "/" + CONVERTER.sub(value, route)


@pytest.mark.parametrize("route", site_routes())
@given(data=st.data())
def test_odd_input_never_answers_a_server_error(route, users, data):
    role = data.draw(st.sampled_from(ROLES), label="role")
    client = client_in(data.draw(st.sampled_from(["en", "fr", "xx"])))
    if role is not None:
        client.force_login(User.objects.get(username=role))
    path = path_of(route, data.draw)
    query = data.draw(FIELDS, label="query")
    if data.draw(st.booleans(), label="post"):
        before = table_rows("priorities", "initiatives", "reporting")
        response = client.post(
            path + "?" + "&".join(f"{quote(k)}={quote(str(v))}" for k, v in query.items()),
            data.draw(FIELDS, label="form"),
        )
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code >= 400:
            assert table_rows("priorities", "initiatives", "reporting") == before, (path, response.status_code)
    else:
        response = client.get(path, query)
        assert response.status_code < 500, (path, response.status_code)


# --- the admin -------------------------------------------------------------------------


def admin_models() -> list[str]:
    from django.contrib import admin

    return sorted(model._meta.label_lower for model in admin.site._registry)


def _field_names(model) -> list[str]:
    return [field.name for field in model._meta.get_fields() if field.concrete]


@pytest.mark.parametrize("label", admin_models())
@given(data=st.data())
def test_odd_input_in_the_admin_never_answers_a_server_error(label, users, data):
    """The admin, as its superuser uses it: a list filtered, searched and sorted by odd
    values (the admin's own ``o``, ``p``, ``q`` and ``e`` and a lookup on each field), an
    object named by an odd id, an add or change form posted with odd values. A refused
    post writes nothing."""
    from django.apps import apps

    model = apps.get_model(label)
    app, name = label.split(".")
    client = client_in(data.draw(st.sampled_from(["en", "fr"])))
    client.force_login(User.objects.get(username="admin"))
    fields = _field_names(model)
    keys = st.one_of(
        st.sampled_from(["o", "p", "q", "e", "all", "_to_field", "_popup", "_changelist_filters"]),
        st.builds(
            lambda f, lookup: f + lookup,
            st.sampled_from(fields),
            st.sampled_from(["", "__gt", "__in", "__isnull", "__exact"]),
        ),
    )
    query = data.draw(st.dictionaries(keys, TEXT, max_size=4), label="query")
    view = data.draw(st.sampled_from(["changelist", "change", "add", "delete", "history"]), label="view")
    if view in ("changelist", "add"):
        path = f"/admin/{app}/{name}/" + ("add/" if view == "add" else "")
    else:
        pk = data.draw(
            st.one_of(
                st.sampled_from([str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:3]] or ["1"]),
                PART["str"],
            ),
            label="pk",
        )
        path = f"/admin/{app}/{name}/{quote(str(pk), safe='')}/" + ("" if view == "change" else f"{view}/")
    if view in ("change", "add") and data.draw(st.booleans(), label="post"):
        form = data.draw(
            st.dictionaries(
                st.sampled_from(fields + ["_save"]), st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=6
            ),
            label="form",
        )
        before = table_rows("priorities", "initiatives", "reporting", "auth")
        response = client.post(path, form)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 302:  # not saved: the form shown again, or refused
            assert table_rows("priorities", "initiatives", "reporting", "auth") == before, (path, response.status_code)
    else:
        response = client.get(path, query)
        assert response.status_code < 500, (path, response.status_code)


# --- the importers' cells --------------------------------------------------------------


def _resources():
    from initiatives.resources import (
        IndicatorResource,
        IndicatorValueResource,
        InitiativeResource,
        OrganisationalUpdateResource,
        StatusUpdateResource,
    )
    from priorities.resources import EventResource, ExpectedResultResource

    return [
        InitiativeResource,
        ExpectedResultResource,
        EventResource,
        IndicatorResource,
        IndicatorValueResource,
        StatusUpdateResource,
        OrganisationalUpdateResource,
    ]


CELL = st.one_of(
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1", "2", "3", "on_track", "at_risk", "2022-23", "=1+1", "'", "q2", "T2", "2023-02-30"]),
)


@pytest.mark.parametrize("resource_class", _resources(), ids=lambda r: r.__name__)
@given(data=st.data())
def test_odd_cells_are_refused_in_words_or_imported_never_a_crash(resource_class, users, data):
    """An exported file with one row's cells replaced by generated text, as CSV: the import
    either passes (every row valid) or refuses the file, naming lines, and writes nothing."""
    import csv
    import io

    from civicplan.spreadsheets import import_spreadsheet

    resource = resource_class()
    exported = resource.export()
    headers = list(exported.headers)
    row = list(exported[0])
    for column in data.draw(st.lists(st.sampled_from(headers), min_size=1, max_size=4, unique=True), label="columns"):
        row[headers.index(column)] = data.draw(CELL, label=column)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([headers, row])
    before = table_rows("priorities", "initiatives", "reporting")
    report = import_spreadsheet(resource_class(), out.getvalue().encode("utf-8"), "csv", dry_run=False)
    if not report.ok:
        assert report.errors and all(isinstance(line, str) and line for line in report.errors)
        assert table_rows("priorities", "initiatives", "reporting") == before
