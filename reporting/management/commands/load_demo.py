"""Load the demo progress of the 2022-23 plan (fixtures/demo_progress_2022_23.json), then
lock the quarters whose reporting round the demo has closed (Q1 and Q2), as the demo
editor would have on closing them, publish the Q1 board update (an invented message), and
record two board meetings (invented too): the one that reviewed Q1 with priority 3 in depth
(as the Q1 message proposes), and the next, which will review Q3, the quarter of the open
round, with priority 4 in depth; so that the board's home has something to read. Run
after ``create_demo_users``.

A quarter's lock is kept apart from the fixture (a fixture cannot name it: its key is the
quarter's database id), so it is made here through the same service as on the plan page,
and recorded. Loading twice changes nothing.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from civicplan.models import Organisation
from initiatives.services import quarter_lock
from priorities.models import Quarter, StrategicPriority
from reporting.meetings import board_meeting_save
from reporting.models import BoardMeeting, BoardUpdate
from reporting.services import board_update_publish, board_update_save

FIXTURE = "demo_progress_2022_23"
PLAN = "2022-23"
REASON = "Rapport trimestriel envoyé au Conseil."
# Invented for the demo, as the rest of its progress (fixtures/README.md).
# The Q1 board update's message and highlights, in French and in the team's English.
Q1_TEXTS = {
    "message_fr": (
        "Chers membres du Conseil,\n\n"
        "Le premier trimestre de notre plan annuel s'achève sur un bon départ : douze initiatives sur "
        "quatorze sont en bonne voie, et nos analyses du Forum politique de haut niveau ont été largement "
        "reprises par les membres. Deux initiatives démarrent plus tard, comme prévu.\n\n"
        "Je vous propose d'approfondir la priorité 3 lors de notre prochaine réunion."
    ),
    "message_en": (
        "Dear Board members,\n\n"
        "The first quarter of our annual plan ends on a good start: twelve of fourteen initiatives are "
        "on track, and our analyses of the High-Level Political Forum were widely taken up by members. "
        "Two initiatives start later, as planned.\n\n"
        "I suggest we look more closely at priority 3 at our next meeting."
    ),
    "highlights_fr": "14 analyses CIVICUS Lens publiées\nParticipation remarquée au Forum politique de haut niveau",
    "highlights_en": "14 CIVICUS Lens analyses published\nA noted presence at the High-Level Political Forum",
}
# (date, title, place, quarter reviewed, priority in depth, agenda: (title, presenter, notes))
MEETINGS = (
    (
        datetime.date(2022, 11, 17),
        "Réunion du Conseil d'administration, novembre 2022",
        "En ligne",
        1,
        3,
        (
            (
                "Ouverture, adoption de l'ordre du jour et du procès-verbal de la réunion précédente",
                "Présidence du Conseil",
                "",
            ),
            (
                "Mise à jour de la Secrétaire générale : premier trimestre",
                "Secrétaire générale",
                "Le message et les initiatives à suivre.",
            ),
            (
                "Discussion approfondie : écosystèmes durables et de soutien d'urgence (priorité 3)",
                "Sofía Ramírez",
                "Le parcours des initiatives depuis juillet, les indicateurs et la question d'apprentissage.",
            ),
            ("Risques et initiatives qui appellent l'attention du Conseil", "Comité des finances et des risques", ""),
            ("Questions diverses et clôture", "Présidence du Conseil", ""),
        ),
    ),
    (
        datetime.date(2023, 5, 11),
        "Réunion du Conseil d'administration, mai 2023",
        "Johannesburg et en ligne",
        3,
        4,
        (
            ("Ouverture et adoption de l'ordre du jour", "Présidence du Conseil", ""),
            ("Mise à jour de la Secrétaire générale : troisième trimestre", "Secrétaire générale", ""),
            (
                "Discussion approfondie : discours public et récits de la société civile (priorité 4)",
                "Samuel Mbeki",
                "",
            ),
            (
                "Planification et budget annuel 2023-2024",
                "Comité des finances et des risques",
                "Premières orientations.",
            ),
        ),
    ),
)


class Command(BaseCommand):
    help = "Load the demo progress of the 2022-23 plan and lock the quarters whose round it closed."

    @transaction.atomic
    def handle(self, *args, **options):
        editor = get_user_model().objects.filter(username="editor").first()
        if editor is None:
            raise CommandError("The demo accounts are missing: run create_demo_users first.")
        call_command("loaddata", FIXTURE, verbosity=0)
        set_organisation()
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
            draft = board_update_save(user=editor, quarter=q1, **Q1_TEXTS)
            # In the plan's language: the board reads French.
            board_update_publish(user=editor, update=draft, plan=q1.annual_plan, language=q1.annual_plan.language)
        recorded = self.record_meetings(editor, q1.annual_plan)
        if options["verbosity"]:
            locked = ", ".join(q.code for q in closed) or "nothing new"
            self.stdout.write(
                f"Demo progress loaded; locked: {locked}; Q1 board update published: {not published}; "
                f"board meetings recorded: {recorded}"
            )

    def record_meetings(self, editor, plan) -> int:
        """The demo's board meetings, through the service the editors' form calls; a meeting
        recorded already (the same date) is left as it is."""
        recorded = 0
        for date, title, place, quarter, priority, agenda in MEETINGS:
            if BoardMeeting.objects.filter(annual_plan=plan, date=date).exists():
                continue
            board_meeting_save(
                user=editor,
                plan=plan,
                fields={
                    "date": date,
                    "title": title,
                    "place": place,
                    "quarter": Quarter.objects.get(annual_plan=plan, number=quarter),
                    "priority": StrategicPriority.objects.get(annual_plan=plan, number=priority),
                },
                agenda=[{"title": t, "presenter": p, "notes": n} for t, p, n in agenda],
            )
            recorded += 1
        return recorded


# The seed's alliance ("l'alliance CIVICUS", seed/000_323864c4d5182dd7.txt). Its logo is
# not the demo's to use: a drawn placeholder, plainly one, shows where a logo goes.
ORGANISATION = "CIVICUS"
PLACEHOLDER_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="96" viewBox="0 0 240 96">'
    b'<rect x="3" y="3" width="234" height="90" rx="12" fill="#f1f5f9" stroke="#64748b" stroke-width="3" '
    b'stroke-dasharray="10 6"/>'
    b'<text x="120" y="57" font-family="DejaVu Sans, sans-serif" font-size="24" text-anchor="middle" '
    b'fill="#475569">Logo</text></svg>'
)


def set_organisation() -> None:
    """The organisation on the reports' covers, unless an admin has set one already."""
    if Organisation.objects.exists():
        return
    organisation = Organisation(name=ORGANISATION, logo=PLACEHOLDER_LOGO, logo_type="image/svg+xml")
    organisation.full_clean()
    organisation.save()
