"""Several app servers share one cache (CACHE_URL=redis://...): a report's chart drawn by
one server is served by the others without being drawn again. Two processes and a real
redis-server, started here on a free port of loopback."""

# Fixed command lines: redis-server, and this python running SERVER.
# ruff: noqa: S603

import os
import shutil
import socket
import subprocess
import sys
import time

import environ
import pytest
from django.conf import settings

REDIS_SERVER = shutil.which("redis-server")

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed (apt-get install redis-server)"
)

# One app server's work: draw a quarter's chart from the shared cache, and say whether it
# had to be drawn (pygal ran) and what it is.
SERVER = """
import hashlib, django
django.setup()
from reporting import charts
from reporting.data import StatusCounts
drawn = []
render = charts._render
charts._render = lambda chart, name, **options: drawn.append(name) or render(chart, name, **options)
statuses = lambda q: (("off_track", q), ("at_risk", 1), ("not_started", 0), ("on_track", 3), ("completed", q))
year = tuple(StatusCounts(q, statuses(q), 1) for q in (1, 2, 3))
chart = charts.status_by_quarter(year, title="1. Démocratie")
print(len(drawn), hashlib.sha256(chart.svg.encode()).hexdigest())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def app_server(cache_url: str) -> tuple[int, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "civicplan.settings.test", "CACHE_URL": cache_url}
    done = subprocess.run(
        [sys.executable, "-c", SERVER], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    drawn, digest = done.stdout.split()
    return int(drawn), digest


def test_a_redis_cache_url_gives_djangos_redis_backend():
    config = environ.Env.cache_url_config("redis://cache.internal:6379/1")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_app_servers_share_the_charts_through_redis(redis_url):
    first = app_server(redis_url)
    second = app_server(redis_url)
    assert first[0] == 1  # drawn by the first server
    assert second == (0, first[1])  # taken from the cache by the second, the same picture


def test_without_a_shared_cache_each_server_draws_its_own():
    assert app_server("locmemcache://")[0] == 1
    assert app_server("locmemcache://")[0] == 1


def test_a_cache_that_is_down_costs_time_not_the_report():
    """Redis stopped (nothing listens on its port): the chart is drawn all the same."""
    assert app_server(f"redis://127.0.0.1:{free_port()}/0")[0] == 1
