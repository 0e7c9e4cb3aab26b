"""Make the demo accounts: admin, editor, staff, staff2 and board, and give them the demo
plan's initiatives and organisational priorities to lead.

Refuses to run with DEBUG off unless given --force: demo accounts with a known password
have no place on a real deployment.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from civicplan.roles import BOARD, EDITORS, STAFF
from initiatives.models import Initiative, Membership, OrganisationalLead
from priorities.models import OrganisationalPriority

PLAN = "2022-23"
DEMO_USERS = [
    # username, first name, last name, group, superuser
    ("admin", "Ada", "Admin", None, True),
    ("editor", "Elena", "Éditrice", EDITORS, False),
    ("staff", "Samuel", "Mbeki", STAFF, False),
    ("staff2", "Sofía", "Ramírez", STAFF, False),
    ("board", "Bongani", "Ndlovu", BOARD, False),
]
# Who leads which initiative of the demo plan, as (priority, initiative) numbers.
LEADS = {
    "staff": [(1, 1), (1, 2), (1, 3), (4, 1), (4, 2)],
    "staff2": [(2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3), (5, 1), (5, 2), (5, 3)],
}
MEMBERS = {"staff": [(5, 2)]}
# Who leads which organisational priority of the demo plan, by area.
ORGANISATIONAL_LEADS = {
    "editor": ["strategy"],
    "staff": ["systems"],
    "staff2": ["people", "sustainability"],
}


class Command(BaseCommand):
    help = "Create the demo accounts (admin, editor, staff, staff2, board) with the password DEMO_PASSWORD."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo accounts are for a developer's machine. Use --force to insist.")
        password = settings.DEMO_PASSWORD
        if not password:
            raise CommandError("Set DEMO_PASSWORD: the demo accounts need a password.")
        with transaction.atomic():
            users = {}
            for username, first, last, group, superuser in DEMO_USERS:
                user, _ = get_user_model().objects.update_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "email": f"{username}@example.org",
                        "is_superuser": superuser,
                        "is_staff": superuser,
                        "is_active": True,
                    },
                )
                user.set_password(password)
                user.save()
                if group:
                    user.groups.set([Group.objects.get(name=group)])
                users[username] = user
            assigned = self.assign_initiatives(users)
            led = self.assign_organisational_priorities(users)
        self.stdout.write(f"Demo accounts: {', '.join(users)}; password: {password}")
        if assigned:
            self.stdout.write(f"Initiatives assigned to staff and staff2: {assigned}")
            self.stdout.write(f"Organisational priorities given a lead: {led}")
        else:
            self.stdout.write(f"Plan {PLAN} is not loaded: no initiative assigned (load it, then run this again).")

    def assign_initiatives(self, users) -> int:
        initiatives = {
            (i.priority.number, i.number): i
            for i in Initiative.objects.filter(priority__annual_plan__slug=PLAN).select_related("priority")
        }
        assigned = 0
        for roles, role in ((LEADS, Membership.Role.LEAD), (MEMBERS, Membership.Role.MEMBER)):
            for username, keys in roles.items():
                for key in keys:
                    if key in initiatives:
                        initiative = initiatives[key]
                        if role == Membership.Role.LEAD:
                            Membership.objects.filter(initiative=initiative, role=role).exclude(
                                user=users[username]
                            ).delete()
                        Membership.objects.update_or_create(
                            initiative=initiative, user=users[username], defaults={"role": role}
                        )
                        assigned += 1
        return assigned

    def assign_organisational_priorities(self, users) -> int:
        priorities = {p.area: p for p in OrganisationalPriority.objects.filter(annual_plan__slug=PLAN)}
        led = 0
        for username, areas in ORGANISATIONAL_LEADS.items():
            for area in areas:
                if area in priorities:
                    # One lead per priority (a one-to-one): running again changes nothing.
                    OrganisationalLead.objects.update_or_create(
                        organisational_priority=priorities[area], defaults={"user": users[username]}
                    )
                    led += 1
        return led
