"""Security by construction: the headers on every response, sign-in throttling, idle sessions,
the health check, and Django's deployment checklist on the production settings."""

import base64
import datetime
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management.utils import get_random_secret_key
from django.db import OperationalError, connections
from django.test import Client, override_settings
from django.utils import timezone

from reporting.models import BoardUpdate
from tests.helpers import client_in

pytestmark = pytest.mark.django_db

BASE = "/reports/2022-23"
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}
SIGNED_IN_PAGES = [
    "/",
    "/plans/2022-23/",
    "/plans/2022-23/calendar/",
    "/reports/",
    f"{BASE}/q2/",
    f"{BASE}/annual/",
]


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.fixture
def login(demo_progress, django_user_model):
    def client_for(username: str | None = None, **kwargs) -> Client:
        client = client_in("en", **kwargs)
        if username:
            client.force_login(django_user_model.objects.get(username=username))
        return client

    return client_for


def production_settings(secret_key: str | None = None) -> dict:
    """The production settings module's own values, read with stand-in secrets."""
    path = settings.BASE_DIR / "civicplan" / "settings" / "production.py"
    environment = {
        "SECRET_KEY": secret_key or get_random_secret_key(),
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "sqlite://",
    }
    with mock.patch.dict(os.environ, environment):
        for name in [name for name in os.environ if name.startswith("SECURE_")]:
            del os.environ[name]  # the module's own defaults, whatever this shell says
        spec = importlib.util.spec_from_file_location("civicplan.settings.production", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in dir(module) if name.isupper()}


# --- Headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", f"{BASE}/q2/", "/accounts/login/"], ids=["dashboard", "report", "sign-in"])
def test_every_page_has_the_content_security_policy(login, path):
    client = login(None if path == "/accounts/login/" else "board")
    response = client.get(path)
    assert response.status_code == 200
    assert csp(response) == POLICY
    assert csp(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("path", [*SIGNED_IN_PAGES, "/plans/2022-23/calendar.ics", "/no-such-page/"])
def test_nosniff_and_referrer_policy_on_every_response(login, path):
    response = login("staff").get(path)
    assert response.status_code in (200, 404)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    for anonymous in (login().get("/accounts/login/"), login().get("/healthz")):
        assert anonymous["X-Content-Type-Options"] == "nosniff"
        assert anonymous["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", [*SIGNED_IN_PAGES, "/accounts/login/"])
def test_pages_carry_no_inline_script_or_style(login, path):
    """What the CSP would refuse: inline <script> and <style>, style="" and on*="" attributes.
    (The browser tests fail on any CSP violation too; this finds one without a browser.)"""
    html = login(None if path == "/accounts/login/" else "editor").get(path).content.decode()
    assert "<svg" in html or path not in (f"{BASE}/q2/", f"{BASE}/annual/")  # the charts are there
    assert not re.search(r"<style\b", html)
    assert not re.search(r"<script\b(?![^>]*\bsrc=)", html)
    assert not re.search(r"<[^>]+\sstyle=", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


def test_hsts_under_the_production_security_settings(db):
    production = production_settings()
    security = {name: value for name, value in production.items() if name.startswith(("SECURE_", "SESSION_COOKIE"))}
    assert security["SECURE_HSTS_SECONDS"] >= 31_536_000
    with override_settings(**security):
        client = Client()
        response = client.get("/accounts/login/", secure=True)
        assert response.status_code == 200
        hsts = response["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000
        assert "includeSubDomains" in hsts and "preload" in hsts
        # Behind the TLS proxy: plain HTTP from the proxy, with X-Forwarded-Proto saying https.
        behind_proxy = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
        assert behind_proxy.status_code == 200 and "Strict-Transport-Security" in behind_proxy
        # Plain HTTP is sent to HTTPS, but for the load balancer's health check.
        plain = client.get("/accounts/login/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        assert client.get("/healthz").status_code == 200


def test_production_keeps_sessions_and_cookies_safe():
    production = production_settings()
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"]
    assert production["SESSION_SAVE_EVERY_REQUEST"] is True
    assert production["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert production["MIDDLEWARE"][:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


# --- Never cached for a signed-in user -------------------------------------------------------


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_are_never_stored(login, path):
    response = login("board").get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_downloads_are_never_stored_and_still_download(login):
    response = login("board").get("/plans/2022-23/calendar.ics")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    workbook = login("board").get(f"{BASE}/q2/xlsx/")
    assert workbook.status_code == 200
    assert "no-store" in workbook["Cache-Control"]
    assert workbook["Content-Disposition"].startswith("attachment;")
    assert workbook.content[:2] == b"PK"  # a zip: the workbook itself


def test_health_check_needs_no_sign_in_and_is_not_stored(login):
    response = login().get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


# --- Sign-in throttling (django-axes) --------------------------------------------------------


@pytest.fixture
def amina(django_user_model):
    return django_user_model.objects.create_user("amina", password="right-long-passphrase")


def sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_failed_sign_ins_lock_that_username_from_that_address(amina, django_user_model):
    django_user_model.objects.create_user("bilal", password="bilal-long-passphrase")
    client = client_in("en")
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(4):
        response = sign_in(client, "amina", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    locked = sign_in(client, "amina", "wrong")  # the fifth
    assert locked.status_code == 429

    refused = sign_in(client, "amina", "right-long-passphrase")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "too many failed attempts to sign in" in page
    assert "paused for 15 minutes" in page
    assert csp(refused) == POLICY
    assert "_auth_user_id" not in client.session

    # Another user, from the same address, is not locked; nor is amina from elsewhere.
    assert sign_in(client, "bilal", "bilal-long-passphrase").status_code == 302
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert sign_in(elsewhere, "amina", "right-long-passphrase").status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(amina.pk)


def test_the_lock_ends_after_the_cool_off(amina):
    client = client_in("en")
    for _attempt in range(5):
        sign_in(client, "amina", "wrong")
    assert sign_in(client, "amina", "right-long-passphrase").status_code == 429
    # Sixteen minutes later: the failed attempts are older than the cool-off.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, "amina", "right-long-passphrase").status_code == 302


def test_attempts_during_the_lock_do_not_make_it_longer(amina):
    """A stranger who goes on trying, or the owner with the right password, does not push
    the end of the lock further: it ends AXES_COOLOFF_MINUTES after the fifth failure."""
    client = client_in("en")
    for _attempt in range(5):
        sign_in(client, "amina", "wrong")
    (attempt,) = AccessAttempt.objects.all()
    locked_at, failures = attempt.attempt_time, attempt.failures_since_start
    assert sign_in(client, "amina", "wrong").status_code == 429
    assert sign_in(client, "amina", "right-long-passphrase").status_code == 429
    attempt.refresh_from_db()
    assert (attempt.attempt_time, attempt.failures_since_start) == (locked_at, failures)


def behind_proxy_settings(monkeypatch) -> dict:
    """The sign-in settings base.py makes with BEHIND_PROXY=true."""
    monkeypatch.setenv("BEHIND_PROXY", "true")
    from civicplan.settings import base

    reloaded = importlib.reload(base)
    monkeypatch.delenv("BEHIND_PROXY")
    values = {
        name: getattr(reloaded, name) for name in ("AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_ORDER")
    }
    importlib.reload(base)
    return values


def test_behind_the_proxy_a_stranger_locks_only_their_own_address(amina, monkeypatch, settings):
    """Every request comes from the proxy (REMOTE_ADDR); the proxy appends each client's
    address to X-Forwarded-For. The stranger's five failures lock amina out from the
    stranger's address only, even when the stranger sends a forged X-Forwarded-For."""
    for name, value in behind_proxy_settings(monkeypatch).items():
        setattr(settings, name, value)
    proxy = "10.0.0.2"
    stranger = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.66")
    for _attempt in range(5):
        sign_in(stranger, "amina", "wrong")
    assert sign_in(stranger, "amina", "right-long-passphrase").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"

    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert sign_in(owner, "amina", "right-long-passphrase").status_code == 302


def test_without_the_proxy_setting_a_forwarded_address_is_not_believed(amina):
    forged = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.10")
    for _attempt in range(5):
        sign_in(forged, "amina", "wrong")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"


# --- Idle sessions ---------------------------------------------------------------------------


def test_sessions_end_after_an_hour_idle_and_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def expiry(client: Client) -> datetime.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


@override_settings(SESSION_SAVE_EVERY_REQUEST=True)
def test_each_request_restarts_the_idle_time(login):
    client = login("staff")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    response = client.get("/")
    assert response.status_code == 200
    renewed = expiry(client) - timezone.now()
    assert datetime.timedelta(minutes=59) < renewed <= datetime.timedelta(minutes=60)
    # A browser-session cookie: no expiry of its own, gone when the browser closes.
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_without_save_every_request_the_idle_time_is_not_restarted(login):
    """The test settings' choice (query counts); local and production save every request."""
    client = login("staff")
    soon = timezone.now() + datetime.timedelta(minutes=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)
    assert client.get("/").status_code == 200
    assert expiry(client) == soon


# --- Health check ----------------------------------------------------------------------------


def test_health_check_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_check_answers_503_when_the_database_fails(client, caplog):
    wrapper = type(connections["default"])
    with mock.patch.object(wrapper, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
    assert "the database does not answer" in caplog.text


def test_health_check_answers_503_when_the_database_is_down(client):
    """No connection can be had at all: under ATOMIC_REQUESTS the request's transaction could
    not even begin (a 500); the health check runs outside it, and says 503."""
    wrapper = type(connections["default"])
    with mock.patch.object(wrapper, "ensure_connection", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503


# --- The published board update: its own stylesheet, nothing else ---------------------------


def test_a_published_board_update_allows_exactly_its_own_stylesheet(login):
    editor = login("editor")
    saved = editor.post(f"{BASE}/q2/board/", {"message_fr": "Chers membres du Conseil", "highlights_fr": "Un point"})
    assert saved.status_code == 302
    draft = editor.get(f"{BASE}/q2/board/")
    assert csp(draft) == POLICY  # the preview lives in the site's pages: no exception

    confirmed = {"confirm": "True", "language": "en"}  # what the confirmation page posts
    assert editor.post(f"{BASE}/q2/board/publish/", confirmed).status_code == 302
    update = BoardUpdate.objects.get(quarter__number=2, annual_plan__slug="2022-23")
    assert update.published

    response = login("board").get(f"{BASE}/q2/board/")
    assert response.status_code == 200
    assert response.content == update.html.encode()  # still byte for byte
    html = response.content.decode()
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL)
    assert len(styles) == 1  # the document's own; the charts carry none
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    policy = csp(response)
    assert policy["style-src"] == ["'self'", f"'sha256-{digest}'"]
    assert policy == POLICY | {"style-src": ["'self'", f"'sha256-{digest}'"]}

    # Only that response: the PDF and every other page keep the plain policy.
    assert csp(login("board").get(f"{BASE}/q2/board/pdf/")) == POLICY
    assert csp(login("board").get(f"{BASE}/q2/")) == POLICY


# --- Django's deployment checklist -----------------------------------------------------------


# Django's get_random_secret_key() starts a key with "$" one time in fifty; django-environ
# would read such a value as the name of another variable (CI met one, and failed).
DOLLAR_KEY = "$" + get_random_secret_key()[1:]


def test_a_secret_key_starting_with_a_dollar_is_read_as_it_is():
    assert production_settings(DOLLAR_KEY)["SECRET_KEY"] == DOLLAR_KEY


@pytest.mark.parametrize("secret_key", [get_random_secret_key(), DOLLAR_KEY], ids=["random", "starting-with-dollar"])
def test_deployment_checklist_passes_with_the_production_settings(tmp_path, secret_key):
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SECURE_", "SESSION_", "DJANGO_", "CSRF_", "DEBUG"))
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "civicplan.settings.production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 (our own manage.py, with a fixed command line)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
