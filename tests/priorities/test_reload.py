"""Reloading the plan from its fixture rewrites the plan's text, and nothing people did."""

import pytest
from django.core.management import call_command

from initiatives.models import Membership
from priorities.models import Quarter, QuarterLock, StrategicPriority
from tests.helpers import PLAN_FIXTURE

pytestmark = pytest.mark.django_db


def test_reloading_the_plan_keeps_locks_and_leads_and_restores_the_text(demo_progress):
    q1 = Quarter.objects.get_by_natural_key("2022-23", 1)
    QuarterLock.objects.create(quarter=q1, reason="Rapport trimestriel envoyé au Conseil")
    leads_before = sorted(Membership.objects.values_list("initiative__title", "user__username", "role"))
    assert leads_before
    priority = StrategicPriority.objects.get_by_natural_key("2022-23", 1)
    priority.title_fr = "Titre modifié par erreur"
    priority.save()

    call_command("loaddata", PLAN_FIXTURE, verbosity=0)

    assert Quarter.objects.get_by_natural_key("2022-23", 1).locked
    assert not Quarter.objects.get_by_natural_key("2022-23", 2).locked
    assert sorted(Membership.objects.values_list("initiative__title", "user__username", "role")) == leads_before
    priority.refresh_from_db()
    assert priority.title_fr.startswith("Générer des connaissances et des analyses en temps opportun")
