"""Build a synthetic annual plan N times the size of the seed plan:
``manage.py generate_synthetic_plan --scale 20`` makes the plan ``synthetic-x20``. It is
made for the benchmark (``make bench``) and for trying the pages at a size the seed never
reaches. Its texts are invented, in French like the seed.

How it scales
-------------
The plan keeps the seed's five strategic priorities, and each priority holds N times the
seed's content for it: N "blocks", each the seed's mix for that priority (priority 3, for
one: three expected results with two indicators each, three initiatives, one learning
question). Growing the number of priorities instead (5N priorities of the seed's size)
would leave a priority's page the size of the seed's whatever N, and the benchmark's
"same number of queries at 1x and 20x" would prove nothing for it. This way the plan page,
a priority's page, the calendar, the API, the dashboard's review queue and the reports
all hold N times more. An initiative serves the expected results of its own block, as a
seed initiative serves those of its priority, so an initiative's page keeps about the
seed's size (its history grows with its priority's reflections).

At scale N, with the seed's figures at N = 1:

- one annual plan starting on 2022-07-01 like the seed, so that every quarter is past,
  and its four quarters; its strategic plan, ``synthetic-2022-2027``, is shared by every
  synthetic plan;
- 5 strategic priorities, 11N expected results, 5N learning questions, 14N initiatives,
  17N indicators, and 4 organisational priorities (one per area, and there are four);
- 21N events, in every quarter (6N, 6N, 5N and 4N in Q1 to Q4): the seed's calendar
  once per block, linked to priorities and initiatives as in the seed;
- for EVERY quarter, Q1 to Q4 (the demo progress stops at Q3): one status update per
  initiative (56N), one value per indicator (68N), one reflection per learning question
  (20N). Within a block the statuses follow the demo's mix (on track mostly, not started
  in Q1, then at risk, off track, completed); the review states are mostly approved: all
  in Q1 and Q2, 10 of 14 in Q3, 8 of 14 in Q4, so 46N approved, 6N submitted, 2N drafts
  and 2N returned;
- people: two staff per priority and block (10N, group "staff"), each initiative led by
  one of them with two team members (42N memberships), and one editor who reviews
  (``synthetic-editor``, group "editors"). They are shared by every synthetic plan and
  created when missing (``synthetic-staff-0001``, ...); their passwords are unusable,
  nobody signs in as them.

Through the same code paths as real data
----------------------------------------
Every object is built as a model instance and checked with ``full_clean()``: its fields
(lengths, choices, formats) and its ``clean()``, the rules across objects (a status
update's quarter in its initiative's plan, an event's dates inside its quarter...). Its
foreign keys and its ``Meta.constraints`` (unique, check) are left to the database, which
holds every one of them (the migrations made them) and checks each row as it is
inserted: checking them in Python as well costs one to three queries per constraint and
object, about ten times the whole run (N=20 on SQLite: some 12 s of CPU instead of 1).
The tests run the complete ``full_clean()`` on samples of every model. The rows of the
many-to-many tables (initiatives' expected results, users' groups) are not validated:
Django's related managers never do either.

The objects are then written with ``bulk_create``, parents first, all in one
transaction: the plan is there whole or not at all. ``bulk_create`` sends no signal, so
django-simple-history would record nothing; the command writes the history rows itself
with simple_history's ``bulk_create_with_history`` (one more bulk insert per model), so
that an initiative's history and the calendar feed's "last changed" read as they do for
real data. A quarterly record's history is dated after its quarter's end and signed by
its author.

A slug names one plan: the command refuses to run over an existing plan unless given
``--replace``, which deletes that plan (with its tracking, events and board updates) and
builds it anew in the same transaction. It never replaces a plan that is not synthetic.
"""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from initiatives.models import (
    IndicatorValue,
    LearningReflection,
    StatusUpdate,
)
from priorities.models import (
    AnnualPlan,
    Event,
)
from reporting.models import AnnualReview, BoardUpdate
from reporting.synthetic import Builder
from reporting.synthetic_data import STRATEGIC_PLAN_SLUG


class Command(BaseCommand):
    help = (
        "Build a synthetic annual plan N times the size of the seed plan (default slug synthetic-x<N>), "
        "with a full year of tracking; refuses an existing slug unless given --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, required=True, help="N: how many times the seed plan's size.")
        parser.add_argument("--slug", help="The annual plan's slug (default: synthetic-x<N>).")
        parser.add_argument(
            "--replace", action="store_true", help="Delete the synthetic plan of that slug first, if there is one."
        )

    def handle(self, *args, scale: int, slug: str | None = None, replace: bool = False, **options):
        if scale < 1:
            raise CommandError(f"--scale must be 1 or more, not {scale}.")
        slug = slug or f"synthetic-x{scale}"
        started = time.perf_counter()
        try:
            with transaction.atomic():
                existing = AnnualPlan.objects.select_related("strategic_plan").filter(slug=slug).first()
                if existing is not None:
                    if not replace:
                        raise CommandError(
                            f"An annual plan with the slug {slug!r} exists already: give --replace to delete it "
                            "and build it anew, or choose another --slug."
                        )
                    self.delete_plan(existing)
                counts = Builder(scale=scale, slug=slug).build()
        except ValidationError as error:
            raise CommandError(f"A synthetic object failed its model's validation: {error}") from error
        except IntegrityError as error:
            raise CommandError(f"The database refused a synthetic row (nothing was written): {error}") from error
        seconds = time.perf_counter() - started
        if options.get("verbosity", 1) >= 1:
            made = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.stdout.write(f"Built the synthetic plan {slug} (scale {scale}) in {seconds:.1f} s: {made}.")

    def delete_plan(self, plan: AnnualPlan) -> None:
        if plan.strategic_plan.slug != STRATEGIC_PLAN_SLUG:
            raise CommandError(
                f"The plan {plan.slug!r} is not a synthetic plan (its strategic plan is "
                f"{plan.strategic_plan.slug!r}): --replace only ever deletes synthetic plans."
            )
        # The quarters are protected by what is recorded in them: those go first.
        BoardUpdate.objects.filter(annual_plan=plan).delete()
        AnnualReview.objects.filter(annual_plan=plan).delete()
        StatusUpdate.objects.filter(quarter__annual_plan=plan).delete()
        IndicatorValue.objects.filter(quarter__annual_plan=plan).delete()
        LearningReflection.objects.filter(quarter__annual_plan=plan).delete()
        Event.objects.filter(annual_plan=plan).delete()
        try:
            plan.delete()
        except ProtectedError as error:
            raise CommandError(f"The plan {plan.slug!r} cannot be deleted: {error.args[0]}") from error
