"""Load the demo progress of the 2022-23 plan (fixtures/demo_progress_2022_23.json), then
lock the quarters whose reporting round the demo has closed (Q1 and Q2), as the demo
editor would have on closing them. Run after ``create_demo_users``.

A quarter's lock is kept apart from the fixture (a fixture cannot name it: its key is the
quarter's database id), so it is made here through the same service as on the plan page,
and recorded. Loading twice changes nothing.
"""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from initiatives.services import quarter_lock
from priorities.models import Quarter

FIXTURE = "demo_progress_2022_23"
PLAN = "2022-23"
REASON = "Rapport trimestriel envoyé au Conseil."


class Command(BaseCommand):
    help = "Load the demo progress of the 2022-23 plan and lock the quarters whose round it closed."

    @transaction.atomic
    def handle(self, *args, **options):
        editor = get_user_model().objects.filter(username="editor").first()
        if editor is None:
            raise CommandError("The demo accounts are missing: run create_demo_users first.")
        call_command("loaddata", FIXTURE, verbosity=0)
        closed = Quarter.objects.filter(
            annual_plan__slug=PLAN, round__closed_at__isnull=False, lock__isnull=True
        ).order_by("number")
        for quarter in closed:
            quarter_lock(user=editor, quarter=quarter, reason=REASON)
        if options["verbosity"]:
            self.stdout.write(f"Demo progress loaded; locked: {', '.join(q.code for q in closed) or 'nothing new'}")
