"""Load the demo progress of the 2022-23 plan (fixtures/demo_progress_2022_23.json), then
lock the quarters whose reporting round the demo has closed (Q1 and Q2), as the demo
editor would have on closing them, and publish the Q1 board update (an invented message),
so that the board's home has something to read. Run after ``create_demo_users``.

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
from reporting.models import BoardUpdate
from reporting.services import board_update_publish, board_update_save

FIXTURE = "demo_progress_2022_23"
PLAN = "2022-23"
REASON = "Rapport trimestriel envoyé au Conseil."
# Invented for the demo, as the rest of its progress (fixtures/README.md).
Q1_MESSAGE = (
    "Chers membres du Conseil,\n\n"
    "Le premier trimestre de notre plan annuel s'achève sur un bon départ : douze initiatives sur "
    "quatorze sont en bonne voie, et nos analyses du Forum politique de haut niveau ont été largement "
    "reprises par les membres. Deux initiatives démarrent plus tard, comme prévu.\n\n"
    "Je vous propose d'approfondir la priorité 3 lors de notre prochaine réunion."
)
Q1_HIGHLIGHTS = "14 analyses CIVICUS Lens publiées\nParticipation remarquée au Forum politique de haut niveau"


class Command(BaseCommand):
    help = "Load the demo progress of the 2022-23 plan and lock the quarters whose round it closed."

    @transaction.atomic
    def handle(self, *args, **options):
        editor = get_user_model().objects.filter(username="editor").first()
        if editor is None:
            raise CommandError("The demo accounts are missing: run create_demo_users first.")
        call_command("loaddata", FIXTURE, verbosity=0)
        closed = list(
            Quarter.objects.filter(annual_plan__slug=PLAN, round__closed_at__isnull=False, lock__isnull=True).order_by(
                "number"
            )
        )
        for quarter in closed:
            quarter_lock(user=editor, quarter=quarter, reason=REASON)
        q1 = Quarter.objects.select_related("annual_plan").get(annual_plan__slug=PLAN, number=1)
        published = BoardUpdate.objects.filter(quarter=q1, state=BoardUpdate.State.PUBLISHED).exists()
        if not published:
            draft = board_update_save(user=editor, quarter=q1, message=Q1_MESSAGE, highlights=Q1_HIGHLIGHTS)
            # In the plan's language: the board reads French.
            board_update_publish(user=editor, update=draft, plan=q1.annual_plan, language=q1.annual_plan.language)
        if options["verbosity"]:
            locked = ", ".join(q.code for q in closed) or "nothing new"
            self.stdout.write(f"Demo progress loaded; locked: {locked}; Q1 board update published: {not published}")
