import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import UserFactory

PLAN_FIXTURE = settings.BASE_DIR / "fixtures" / "annual_plan_2022_23.json"
DEMO_FIXTURE = settings.BASE_DIR / "fixtures" / "demo_progress_2022_23.json"
DEMO_USERNAMES = ["admin", "editor", "staff", "staff2", "board"]


@pytest.fixture
def seed_plan(db):
    """The seed's annual plan 2022-23, loaded from its fixture."""
    call_command("loaddata", PLAN_FIXTURE, verbosity=0)


@pytest.fixture
def demo_progress(seed_plan):
    """The seed plan with the demo accounts and the demo progress of Q1-Q3."""
    call_command("create_demo_users", "--force", verbosity=0)
    call_command("loaddata", DEMO_FIXTURE, verbosity=0)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)
