"""The board's meetings: the list of a plan's meetings, a meeting's page and its pack as a
PDF (every reader: staff, editors, the board), and the form that records or changes one
with its agenda (editors only, checked here on every request, GET and POST)."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from civicplan.edit_views import add_service_errors
from civicplan.permissions import is_editor, require
from priorities.models import AnnualPlan

from .forms import AgendaFormSet, BoardMeetingForm
from .meetings import board_meeting_save, build_meeting_pack, meeting_context, meeting_document, meeting_queryset
from .models import BoardMeeting, BoardUpdate
from .pdf import render_pdf
from .stored import Document
from .views import _plan, _serve_stored, report_view, stored_file

AGENDA_PREFIX = "agenda"


def _meeting(slug: str, pk: int) -> BoardMeeting:
    """The meeting ``pk`` of the plan ``slug`` (one query, its plan with it); 404 if it is
    another plan's."""
    return get_object_or_404(meeting_queryset(), annual_plan__slug=slug, pk=pk)


@require_safe
@report_view
def meeting_list(request, slug: str):
    """The plan's board meetings by date, each with whether the board update of the quarter
    it reviews is published."""
    plan = _plan(slug)
    published = BoardUpdate.objects.filter(quarter=OuterRef("quarter"), state=BoardUpdate.State.PUBLISHED)
    meetings = (
        BoardMeeting.objects.filter(annual_plan=plan)
        .select_related("quarter", "priority")
        .annotate(items=Count("agenda_items"), update_published=Exists(published))
        .order_by("date", "pk")
    )
    return render(
        request,
        "reporting/meeting_list.html",
        {"plan": plan, "meetings": list(meetings), "editor": is_editor(request.user)},
    )


@require_safe
@report_view
def meeting(request, slug: str, pk: int):
    """The meeting's pack, as a page."""
    record = _meeting(slug, pk)
    pack = build_meeting_pack(record)
    context = meeting_context(pack) | {
        "plan": record.annual_plan,
        "meeting": record,
        "editor": is_editor(request.user),
    }
    return render(request, "reporting/meeting.html", context)


@require_safe
@report_view
@stored_file
def meeting_pdf(request, slug: str, pk: int):
    """The meeting's pack, as one PDF: the same body as the page, made once per version of
    the data and language (reporting.stored)."""
    record = _meeting(slug, pk)
    language = translation.get_language()
    filename = f"civicplan-{slug}-board-meeting-{record.date.isoformat()}-{language}.pdf"
    return _serve_stored(
        request,
        Document(f"meeting-{record.pk}-pdf", slug, None, language),
        lambda: render_pdf(meeting_document(build_meeting_pack(record))),
        "application/pdf",
        filename,
    )


def _agenda(formset) -> list[dict]:
    """The agenda the editor asked for: the items kept, in the order their numbers say
    (an item without a number where it stands), as the service takes them."""
    rows = []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE") or (form.instance.pk is None and not form.has_changed()):
            continue
        order = data.get("order")
        rows.append(
            (
                order if order is not None else index + 1,
                index,
                {
                    "pk": form.instance.pk,
                    "title": data.get("title", ""),
                    "presenter": data.get("presenter", ""),
                    "notes": data.get("notes", ""),
                },
            )
        )
    return [item for _order, _index, item in sorted(rows, key=lambda row: row[:2])]


def _edit(request, plan: AnnualPlan, record: BoardMeeting | None):
    """GET: the meeting's form with its agenda; POST: all of it saved, or nothing (400,
    each error beside its field, and a line above that says nothing was saved; 409 when
    someone else saved the meeting meanwhile)."""
    # A copy: the form changes its instance, and the page names the meeting as it is stored.
    instance = copy.copy(record) if record is not None else BoardMeeting(annual_plan=plan)
    data = request.POST if request.method == "POST" else None
    form = BoardMeetingForm(data, instance=instance, plan=plan)
    agenda = AgendaFormSet(
        data,
        instance=instance,
        prefix=AGENDA_PREFIX,
        queryset=instance.agenda_items.order_by("order", "pk") if record is not None else None,
        form_kwargs={"language": plan.language},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and agenda.is_valid():
            try:
                saved = board_meeting_save(
                    user=request.user,
                    plan=plan,
                    meeting=record,
                    version=form.cleaned_data["version"] if record is not None else None,
                    fields={name: form.cleaned_data[name] for name in form._meta.fields},
                    agenda=_agenda(agenda),
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "stale":
                    status = 409
                add_service_errors(form, error)
            else:
                messages.success(request, _("Board meeting “%(title)s” saved.") % {"title": saved.title})
                return redirect("reporting:meeting", slug=plan.slug, pk=saved.pk)
    return render(
        request,
        "reporting/meeting_form.html",
        {"plan": plan, "meeting": record, "form": form, "agenda": agenda},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@report_view
def meeting_create(request, slug: str):
    """Record a board meeting (editors)."""
    require(is_editor(request.user))
    return _edit(request, _plan(slug), None)


@require_http_methods(["GET", "POST"])
@report_view
def meeting_edit(request, slug: str, pk: int):
    """Change a board meeting and its agenda (editors)."""
    require(is_editor(request.user))
    record = _meeting(slug, pk)
    return _edit(request, record.annual_plan, record)
