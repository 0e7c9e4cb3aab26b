"""The load test (`make load`): wrk against `make serve` on PostgreSQL, on loopback, signed in.

Prepares the database (the plan, the demo accounts and their progress), starts `make serve` on
a free loopback port, signs in as the demo editor through the sign-in form, then runs wrk on
/healthz, the dashboard, the quarterly report and its (stored) PDF, and prints one table. Always
stops the server.
"""

# A local tool with fixed command lines (our own manage.py, make, wrk, PostgreSQL's) on loopback URLs.
# ruff: noqa: S603, S607, S310

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
LUA = str(Path(__file__).resolve().parent / "report.lua")
HOST = "127.0.0.1"  # loopback only: never a load test on someone else's server
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civicplan_load"
# The synthetic plan twenty times the seed's size (manage.py generate_synthetic_plan), whose
# report PDF (135 pages, 1.5 MB) is what a board of a large organisation downloads.
LARGE = "synthetic-x20"
# (path, signed in). The seed's report PDF is made by the check before the run (its first
# reader), the large plan's by the worker's task before the server starts (it takes longer
# than a reader waits); each is then served stored to every request: an unchanged report's PDF.
PAGES = [
    ("/healthz", False),
    ("/", True),
    ("/reports/2022-23/q2/", True),
    ("/reports/2022-23/q2/pdf/", True),
    (f"/reports/{LARGE}/q2/pdf/", True),
]


def run(*cmd, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, check=True, **kwargs)


def manage(*args, **kwargs):
    return run(PY, "manage.py", *args, **kwargs)


def ensure_postgres():
    """Start the local PostgreSQL when it is down, as .ci/run does, and make the database."""
    if subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", "5432"]).returncode != 0:
        print("PostgreSQL is not running: starting it", flush=True)
        if shutil.which("pg_ctlcluster") and Path("/etc/postgresql").is_dir():
            version = sorted(os.listdir("/etc/postgresql"))[0]
            run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
        else:  # no system cluster: a private one, owned by postgres, as .ci/run makes it
            default = "/tmp/civicplan-pg"  # noqa: S108  # nosec B108  # the same as .ci/run's
            data = os.environ.get("PGDATA_DIR", default)
            pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
            if not Path(data).is_dir():
                os.makedirs(data)
                shutil.chown(data, "postgres")
                initdb = f"{pgbin}/initdb --auth=trust -U postgres -D {data}"
                run("su", "postgres", "-c", initdb, stdout=subprocess.DEVNULL)
            run("su", "postgres", "-c", f"{pgbin}/pg_ctl -D {data} -l {data}/log -o '-p 5432 -k /tmp' -w start")
        for _ in range(30):
            if subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", "5432"]).returncode == 0:
                break
            time.sleep(1)
    made = subprocess.run(
        ["createdb", "-h", HOST, "-p", "5432", "-U", "postgres", "civicplan_load"], capture_output=True, text=True
    )
    if made.returncode != 0 and "already exists" not in made.stderr:
        sys.exit(f"createdb civicplan_load failed: {made.stderr.strip()}")


def free_port(preferred=8765):
    for port in (preferred, 0):  # 0: any free port the kernel picks
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
                return s.getsockname()[1]
            except OSError:
                continue


def get(url, cookie=None, opener=None):
    """(status, body bytes) without following redirects: a redirect to the sign-in form must show."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = opener or urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def sign_in(base, password):
    """Sign in as the demo editor through the real form once (django-axes locks out after 5 failures)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, body = get(f"{base}/accounts/login/", opener=opener)
    html = body.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if status != 200 or not token:
        sys.exit(f"The sign-in page answered {status} without a CSRF token")
    data = urllib.parse.urlencode(
        {"username": "editor", "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    try:
        opener.open(request, timeout=30).read()  # follows the redirect to the dashboard
    except urllib.error.HTTPError as error:  # 429: django-axes locked editor out (manage.py axes_reset)
        sys.exit(f"Signing in as editor answered {error.code}")
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("Signing in as editor failed: no sessionid cookie")
    # Login rotates the CSRF token: send the cookies as they are now, as a browser would.
    return "; ".join(f"{name}={cookies[name]}" for name in ("sessionid", "csrftoken") if name in cookies)


def wrk(url, connections, duration, cookie):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s", "-s", LUA]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    result = json.loads(re.search(r"^RESULT (.*)$", out, re.M).group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per endpoint (30)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: install it (make wrk, as root, or apt-get install wrk)")

    if "DATABASE_URL" not in os.environ:
        ensure_postgres()
    # The production settings, as `make serve` runs them (it keeps this SECRET_KEY); a demo
    # password made for this run only, since the demo accounts land in a production-like setup.
    password = secrets.token_urlsafe(16)
    os.environ.update(
        DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        DJANGO_SETTINGS_MODULE="civicplan.settings.production",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        DEMO_PASSWORD=password,
    )
    quiet = {"stdout": subprocess.DEVNULL}
    manage("migrate", "--noinput", **quiet)
    # Each step is idempotent: the fixtures rewrite their rows, the accounts are updated in place.
    manage("loaddata", "annual_plan_2022_23", **quiet)
    manage("create_demo_users", "--force", **quiet)
    manage("load_demo", **quiet)
    manage("generate_synthetic_plan", "--scale", "20", "--slug", LARGE, "--replace", **quiet)
    manage(
        "shell",
        "-v0",
        "-c",
        "from django_tasks_db.models import DBTaskResult\n"
        "from priorities.models import Quarter\n"
        "from reporting.tasks import prepare_reports\n"
        f"prepare_reports.call(Quarter.objects.get(annual_plan__slug='{LARGE}', number=2).pk)\n"
        # What loading queued (the demo's approvals) would keep the workers making PDFs
        # during the run: the run measures serving, so the queue starts empty (no worker runs yet).
        "DBTaskResult.objects.all().delete()",
        **quiet,
    )
    database = manage(
        "shell",
        "-v0",
        "-c",
        "from django.db import connection as c\n"
        "with c.cursor() as cur:\n"
        "    cur.execute('SHOW server_version' if c.vendor == 'postgresql' else 'SELECT sqlite_version()')\n"
        "    print(c.display_name, cur.fetchone()[0].split()[0])",
        capture_output=True,
        text=True,
    ).stdout.strip()

    load = os.getloadavg()[0]
    port = free_port()
    base = f"http://{HOST}:{port}"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the server too
    with tempfile.NamedTemporaryFile(prefix="civicplan-load-", suffix=".log") as log:
        # Its own process group, so that stopping it stops make, the shell and every gunicorn worker.
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"HOST={HOST}", f"PORT={port}"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            results = measure(base, password, args, server, log.name)
        finally:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    workers = os.environ.get("WEB_CONCURRENCY", "?")
    # The load average shows when something else shared the CPUs (the figures then drop together).
    print(
        f"\n{os.cpu_count()} CPUs (load average {load:.1f} before the run), {workers} gunicorn workers, {database};"
        " / and the report and its PDF signed in as editor"
    )
    header = ("endpoint", "connections", "duration", "requests/s", "ratio to /healthz", "p50 ms", "p99 ms", "errors")
    base_rps = results[0][1]["rps"]
    rows = [
        (
            path,
            str(args.connections),
            f"{args.duration} s",
            f"{r['rps']:.1f}",
            f"{r['rps'] / base_rps:.3f}",
            f"{r['p50_us'] / 1000:.1f}",
            f"{r['p99_us'] / 1000:.1f}",
            str(r["not_ok"] + r["socket_errors"]),  # non-2xx (3xx included) and socket errors
        )
        for path, r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells))


def measure(base, password, args, server, log):
    """Wait for the server, sign in, check every page answers 200, then run wrk on each."""
    deadline = time.monotonic() + 60
    while get_status(f"{base}/healthz") != 200:
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"The server did not answer /healthz within 60 s; its log:\n{Path(log).read_text()}")
        time.sleep(0.5)
    cookie = sign_in(base, password)
    for path, signed_in in PAGES:  # wrk takes a redirect for a success: check each page first
        # A PDF that a worker is making (queued by the demo's approvals) answers 503 "being
        # prepared" with Retry-After, as a reader would be told: asked again until it is there.
        deadline = time.monotonic() + 180
        while (status := get_status(f"{base}{path}", cookie if signed_in else None)) == 503:
            if time.monotonic() > deadline:
                break
            time.sleep(2)
        if status != 200:
            sys.exit(f"{path} answered {status}, not 200, before the load test")
    results = []
    for path, signed_in in PAGES:
        print(f"wrk {path}: {args.connections} connections, {args.duration} s", flush=True)
        results.append((path, wrk(f"{base}{path}", args.connections, args.duration, cookie if signed_in else None)))
    return results


def get_status(url, cookie=None):
    try:
        return get(url, cookie)[0]
    except OSError:  # not listening yet
        return None


if __name__ == "__main__":
    main()
