"""The report files (PDFs, the workbook), made from the data: what the views serve and the
background worker prepares (reporting.tasks), stored once per version (reporting.stored).

Each ``*_document`` names a file; each ``make_*`` makes its bytes in the document's
language. The views and the worker call the same two, so what a worker prepares is
exactly what a reader would have been served.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from priorities.models import AnnualPlan

from . import documents, services
from .builders import build_quarterly_report
from .exports import quarterly_workbook
from .models import AnnualReview
from .pdf import render_pdf
from .stored import EDITORS, READERS, Document


def quarterly_title(report) -> str:
    return _("%(plan)s, %(quarter)s") % {"plan": report.plan_title, "quarter": report.quarter.code}


def quarterly_pdf(slug: str, quarter: int, language: str) -> Document:
    return Document("quarterly-pdf", slug, quarter, language)


def make_quarterly_pdf(plan: AnnualPlan, quarter: int, language: str) -> bytes:
    with translation.override(language):
        report = build_quarterly_report(plan, quarter)
        title = quarterly_title(report)
        html = documents.document(
            "reporting/_quarterly_body.html", documents.quarterly_context(report), title=title, running_title=title
        )
        return render_pdf(html)


def quarterly_xlsx(slug: str, quarter: int, language: str) -> Document:
    return Document("quarterly-xlsx", slug, quarter, language)


def make_quarterly_xlsx(plan: AnnualPlan, quarter: int, language: str) -> bytes:
    with translation.override(language):
        return quarterly_workbook(build_quarterly_report(plan, quarter))


def annual_pdf(plan: AnnualPlan, language: str, lessons: AnnualReview | None) -> Document:
    """Until the annual report is published, editors read the draft lessons in it; other
    readers read it without them: two audiences, two files."""
    audience = EDITORS if lessons is not None and not lessons.published else READERS
    return Document("annual-pdf", plan.slug, None, language, audience)


def make_annual_pdf(plan: AnnualPlan, language: str, lessons: AnnualReview | None) -> bytes:
    with translation.override(language):
        return render_pdf(services.annual_report_document(plan, lessons))
