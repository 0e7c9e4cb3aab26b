"""Roll an annual plan over into its next year: ``manage.py rollover_plan 2022-23 2023-24``
(initiatives/rollover.py says what is made, carried and left). ``--dry-run`` prints the
preview and writes nothing; a refusal (the target exists, the next year has its plan, the
source has no quarters, …) says why, writes nothing and exits with an error."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives import rollover


class Command(BaseCommand):
    help = "Make the next year's annual plan from SOURCE (e.g. 2022-23), named TARGET (e.g. 2023-24)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="The plan rolled over, by its slug (2022-23).")
        parser.add_argument("target", help="The new plan's slug (2023-24).")
        parser.add_argument("--title", default="", help="The new plan's title (default: the source's, a year on).")
        parser.add_argument("--dry-run", action="store_true", help="Print what would be made, write nothing.")

    def handle(self, *args, source, target, title="", dry_run=False, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                preview = rollover.rollover_preview(source_slug=source, target_slug=target, title=title)
                self.describe(preview)
                if dry_run:
                    self.stdout.write(_("Dry run: nothing was made."))
                    return
                plan = rollover.rollover_plan(user=None, source_slug=source, target_slug=target, title=title)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(
                self.style.SUCCESS(
                    _("Made %(slug)s, «%(title)s», from %(source)s.")
                    % {"slug": plan.slug, "title": plan.title, "source": source}
                )
            )

    def describe(self, preview: rollover.Rollover) -> None:
        write = self.stdout.write
        write(
            _("%(source)s → %(slug)s «%(title)s», from %(start)s:")
            % {"source": preview.source.slug, "slug": preview.slug, "title": preview.title, "start": preview.start_date}
        )
        write(
            _(
                "  made: 4 quarters, %(priorities)d priorities, %(results)d expected results, "
                "%(questions)d learning questions, %(organisational)d organisational priorities, "
                "%(indicators)d indicators (targets to set)"
            )
            % {
                "priorities": len(preview.priorities),
                "results": preview.results,
                "questions": preview.questions,
                "organisational": len(preview.organisational),
                "indicators": len(preview.indicators),
            }
        )
        count = len(preview.carried)
        write(
            ngettext(
                "  carried (not completed): %(count)d initiative",
                "  carried (not completed): %(count)d initiatives",
                count,
            )
            % {"count": count}
        )
        for row in preview.carried:
            write(f"    {row.initiative.code} {row.initiative.title}")
        count = len(preview.left)
        write(
            ngettext(
                "  left in %(source)s (completed): %(count)d initiative",
                "  left in %(source)s (completed): %(count)d initiatives",
                count,
            )
            % {"source": preview.source.slug, "count": count}
        )
        for row in preview.left:
            write(f"    {row.initiative.code} {row.initiative.title}")
        count = preview.events_left
        write(ngettext("  not copied: %(count)d event", "  not copied: %(count)d events", count) % {"count": count})
