"""The board's reading: the report list, the quarterly trend report, the board update, the
annual report and the years of a strategic plan side by side, each as a page and as a
PDF (the home page is in home.py). Everyone signed in with a role reads them; editors
write and publish board updates; the board reads published ones only."""

import functools
from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page, require_http_methods, require_safe

from civicplan.permissions import can_read, is_editor, require
from priorities.models import AnnualPlan, Quarter, StrategicPlan, quarter_code

from . import documents, files, services, stored
from .builders import build_annual_report, build_quarterly_report
from .forms import AnnualReviewForm, BoardUpdateForm, PublishForm
from .models import AnnualReview, BoardUpdate
from .pdf import render_pdf
from .years import build_years_report


def report_view(view):
    """Readers only; the page in the reader's language, or the one ``?lang=`` asks for."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        require(can_read(request.user))
        language = request.GET.get("lang")
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language()
        with translation.override(language):
            response = view(request, *args, **kwargs)
            response.headers.setdefault("Content-Language", language)
        return response

    return wrapper


def _plan(slug: str) -> AnnualPlan:
    return get_object_or_404(AnnualPlan.objects.select_related("strategic_plan"), slug=slug)


def _quarter(plan: AnnualPlan, number: int) -> Quarter:
    return get_object_or_404(Quarter.objects.select_related("annual_plan"), annual_plan=plan, number=number)


def report_file(view):
    """A report PDF. The same data makes the same bytes (the PDF carries no time of
    making), so its ETag (Django's conditional_page: a hash of the bytes) answers 304 to a
    reader who has the file already; kept by the reader's client only, asked again each time."""
    return cache_control(private=True, no_cache=True)(conditional_page(view))


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(slug: str, name: str, extension: str) -> str:
    return f"civicplan-{slug}-{name}-{translation.get_language()}.{extension}"


@require_safe
@report_view
def report_list(request):
    """Every quarter's report, every board update the reader may see, the annual report."""
    updates = BoardUpdate.objects.select_related("quarter", "published_by").defer("html", "pdf")
    if not is_editor(request.user):
        updates = updates.filter(state=BoardUpdate.State.PUBLISHED)
    plans = (
        AnnualPlan.objects.select_related("strategic_plan", "annual_review")
        .defer("annual_review__html", "annual_review__pdf")
        .prefetch_related(
            Prefetch("quarters", queryset=Quarter.objects.select_related("round").order_by("number")),
            Prefetch("board_updates", queryset=updates.order_by("quarter__number"), to_attr="visible_board_updates"),
        )
        .order_by("-start_date")
    )
    for plan in plans:
        by_quarter = {update.quarter_id: update for update in plan.visible_board_updates}
        plan.report_rows = [(quarter, by_quarter.get(quarter.pk)) for quarter in plan.quarters.all()]
        review = getattr(plan, "annual_review", None)  # read with the plan; None when there is none
        plan.published_review = review if review is not None and review.published else None
    return render(
        request,
        "reporting/report_list.html",
        {"plans": plans, "editor": is_editor(request.user)},
    )


@require_safe
@report_view
def quarterly_report(request, slug: str, quarter: int):
    """The report's body is made once per version of the data and language (reporting.stored)."""
    plan = _plan(slug)
    if not 1 <= quarter <= 4:
        raise Http404
    language = translation.get_language()

    def make() -> str:
        report = build_quarterly_report(plan, quarter)
        return render_to_string("reporting/_quarterly_body.html", documents.quarterly_context(report))

    body = stored.body(stored.Document("quarterly-page", plan.slug, quarter, language), make)
    return render(
        request,
        "reporting/quarterly.html",
        {"plan": plan, "quarter": quarter, "quarter_code": quarter_code(quarter), "body": body},
    )


def stored_file(view):
    """A report file stored once per version of the data (reporting.stored). Its ETag is its
    SHA-256, so a reader who has it already gets 304 without its bytes being read; kept by
    the reader's client only, and asked again each time. Not inside the request's
    transaction: the row that says the file is being made is seen by other readers at once."""
    return transaction.non_atomic_requests(cache_control(private=True, no_cache=True)(view))


def _serve_stored(request, document, make, content_type: str, filename: str, *, before_making=None) -> HttpResponse:
    """The stored file (``stored.file``: kept in memory, else in the database), else made
    now, after ``before_making()`` (which reads what making needs, or answers 404)."""
    # A reader whose client may hold the file already is answered without its bytes read.
    conditional = "If-None-Match" in request.headers or "If-Modified-Since" in request.headers
    try:
        record = stored.file(document, make, content=not conditional, before_making=before_making)
    except stored.NotReady as not_ready:
        context = {"failed": not_ready.failed, "path": request.get_full_path()}
        response = render(request, "reporting/preparing.html", context, status=503)
        response["Retry-After"] = "5"
        return response
    etag = quote_etag(record.sha256)
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(record.made_at.timestamp()))
    if not_modified is not None:
        return not_modified
    response = _download(bytes(record.content), content_type, filename)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(record.made_at.timestamp())
    return response


# The quarterly report's files: how each is named, made, typed and called.
QUARTERLY_FILES = {
    "pdf": (files.quarterly_pdf, files.make_quarterly_pdf, "application/pdf"),
    "xlsx": (
        files.quarterly_xlsx,
        files.make_quarterly_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _quarterly_file(request, slug: str, quarter: int, extension: str) -> HttpResponse:
    """A file made already is served without reading the plan (its name holds the plan's
    slug): the plan is read, or 404 answered, only before making it."""
    if not 1 <= quarter <= 4:
        raise Http404
    language = translation.get_language()
    document, make, content_type = QUARTERLY_FILES[extension]
    plan = functools.cache(lambda: _plan(slug))
    return _serve_stored(
        request,
        document(slug, quarter, language),
        lambda: make(plan(), quarter, language),
        content_type,
        _filename(slug, f"q{quarter}", extension),
        before_making=plan,
    )


@require_safe
@report_view
@stored_file
def quarterly_report_pdf(request, slug: str, quarter: int):
    return _quarterly_file(request, slug, quarter, "pdf")


@require_safe
@report_view
@stored_file
def quarterly_report_xlsx(request, slug: str, quarter: int):
    return _quarterly_file(request, slug, quarter, "xlsx")


def _annual_review(plan: AnnualPlan) -> AnnualReview | None:
    return AnnualReview.objects.select_related("published_by", "author").filter(annual_plan=plan).first()


def _lessons_for(request, review: AnnualReview | None) -> AnnualReview | None:
    """The lessons learned this reader sees in the live report: editors read the draft."""
    return review if review is not None and (review.published or is_editor(request.user)) else None


@require_http_methods(["GET", "POST"])
@report_view
def annual_report(request, slug: str):
    """Published: the HTML as it was published, byte for byte. Until then: the report as it
    reads now; editors read the draft lessons learned in it, and write them above it (POST
    saves the draft)."""
    plan = _plan(slug)
    review = _annual_review(plan)
    editor = is_editor(request.user)
    if request.method == "POST":
        require(editor)
    if review is not None and review.published:
        if request.method == "POST":  # a form left open while someone published the report
            messages.error(request, " ".join(services.AlreadyPublished(review).messages))
            return redirect("reporting:list")
        frozen = review.frozen_in(translation.get_language())
        return _stored(request, frozen, frozen.html.encode(), "text/html; charset=utf-8", frozen.html_sha256)
    form = AnnualReviewForm(request.POST or None, instance=review) if editor else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.annual_review_save(user=request.user, plan=plan, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Lessons learned saved as a draft."))
                return redirect("reporting:annual", slug=plan.slug)
        status = 400
    lessons = _lessons_for(request, review)
    document = files.annual_pdf(plan, translation.get_language(), lessons)

    def make() -> str:
        context = documents.annual_context(build_annual_report(plan), lessons)
        return render_to_string("reporting/_annual_body.html", context)

    body = stored.body(replace(document, kind="annual-page"), make)
    context = {"plan": plan, "review": review, "form": form, "body": body}
    return render(request, "reporting/annual.html", context, status=status)


@require_safe
@report_view
@stored_file
def annual_report_pdf(request, slug: str):
    """Published: the PDF as it was published. Until then: made once per version of the data,
    language and audience (editors read the draft lessons in it)."""
    plan = _plan(slug)
    review = _annual_review(plan)
    if review is not None and review.published:
        frozen = review.frozen_in(translation.get_language())
        response = _stored(request, frozen, bytes(frozen.pdf), "application/pdf", frozen.pdf_sha256)
        response["Content-Disposition"] = f'attachment; filename="civicplan-{plan.slug}-annual.pdf"'
        return response
    lessons = _lessons_for(request, review)
    language = translation.get_language()
    return _serve_stored(
        request,
        files.annual_pdf(plan, language, lessons),
        lambda: files.make_annual_pdf(plan, language, lessons),
        "application/pdf",
        _filename(plan.slug, "annual", "pdf"),
    )


EXCERPT_LINES = 4


def _confirm_publication(request, record, publish, *, context: dict, success: str):
    """Publishing with intent. GET: the confirmation page, which says that publishing is
    final, shows what will be published and asks in which language (the site's preset).
    POST (from that page: it carries ``confirm``): ``publish(language)``, then back to the
    report list with ``success`` naming the language. A POST without the confirmation or
    with no known language is refused (400) and writes nothing; a published ``record`` is
    never published again."""
    if record.published:
        messages.error(request, " ".join(services.AlreadyPublished(record).messages))
        return redirect("reporting:list")
    form = PublishForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                publish(form.cleaned_data["language"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, success % {"language": form.language_name})
            return redirect("reporting:list")
        status = 400
    lines = [line for line in context.pop("text").splitlines() if line.strip()]
    context |= {"form": form, "excerpt": lines[:EXCERPT_LINES], "more": len(lines) > EXCERPT_LINES}
    return render(request, "reporting/publish_confirm.html", context, status=status)


@require_http_methods(["GET", "POST"])
@report_view
def annual_report_publish(request, slug: str):
    """Publishing the annual report, confirmed (``_confirm_publication``)."""
    require(is_editor(request.user))
    plan = _plan(slug)
    review = get_object_or_404(AnnualReview, annual_plan=plan)
    context = {
        "plan": plan,
        "heading": _("Publish the annual report"),
        "document_title": _("%(plan)s: annual report") % {"plan": plan.title},
        "back_url": reverse("reporting:annual", args=[plan.slug]),
        "text_label": _("Lessons learned"),
        "text": review.lessons,
        "final": _(
            "Once published, the annual report can never change: everyone will read exactly this, "
            "as a page and as a PDF, whatever later happens to the plan."
        ),
    }
    return _confirm_publication(
        request,
        review,
        lambda language: services.annual_review_publish(user=request.user, review=review, plan=plan, language=language),
        context=context,
        success=_("Published in %(language)s. Everyone now reads this annual report exactly as it is."),
    )


@require_safe
@report_view
def years_report(request, slug: str):
    """The annual plans of a strategic plan side by side (reporting/years.py)."""
    strategic = get_object_or_404(StrategicPlan, slug=slug)
    context = {"years_report": build_years_report(strategic)} | documents.organisation_context()
    return render(request, "reporting/years.html", context)


@require_safe
@report_view
@report_file
def years_report_pdf(request, slug: str):
    strategic = get_object_or_404(StrategicPlan, slug=slug)
    title = _("%(plan)s: year over year") % {"plan": strategic.title}
    context = {"years_report": build_years_report(strategic)} | documents.organisation_context()
    html = documents.document("reporting/_years_body.html", context, title=title, running_title=title)
    return _download(render_pdf(html), "application/pdf", _filename(strategic.slug, "years", "pdf"))


def _board_update(request, plan: AnnualPlan, quarter: int) -> BoardUpdate | None:
    """The quarter's board update if the reader may see it; None for an editor when there is
    none yet (to write one); 404 for everyone else when there is none or it is a draft."""
    update = (
        BoardUpdate.objects.select_related("quarter", "published_by", "author")
        .filter(annual_plan=plan, quarter__number=quarter)
        .first()
    )
    if update is not None and update.published:
        return update
    if not is_editor(request.user):
        raise Http404
    return update


def _stored(request, frozen, content: bytes, content_type: str, sha256: str) -> HttpResponse:
    """A published document (``frozen``: a published record, or one of its ``translations``)
    as it was delivered; its ETag is its recorded SHA-256, so a reader who has it already
    gets 304."""
    etag = quote_etag(sha256)
    response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    response["Content-Language"] = frozen.language
    response["Cache-Control"] = "private, no-cache"
    if content_type.startswith("text/html"):
        # The published document carries its stylesheet inline, to stay whole: the CSP allows
        # exactly that <style> (by its hash, from the stored bytes), for this response only.
        source = documents.stylesheet_csp_source(response.content.decode())
        if source:
            response._csp_update = {"style-src": [source]}
    return get_conditional_response(request, etag=etag, response=response)


@require_http_methods(["GET", "POST"])
@report_view
def board_update(request, slug: str, quarter: int):
    """Published: the HTML as the board received it, byte for byte. Draft: the editor's
    preview and form (POST saves the draft)."""
    plan = _plan(slug)
    update = _board_update(request, plan, quarter)
    if update is not None and update.published:
        if request.method == "POST":
            raise Http404
        frozen = update.frozen_in(translation.get_language())
        return _stored(request, frozen, frozen.html.encode(), "text/html; charset=utf-8", frozen.html_sha256)
    quarter_row = _quarter(plan, quarter)
    form = BoardUpdateForm(request.POST or None, instance=update)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.board_update_save(user=request.user, quarter=quarter_row, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Draft saved."))
                return redirect("reporting:board", slug=plan.slug, quarter=quarter)
        status = 400
    preview = services.board_update_context(update, plan) if update is not None else None
    return render(
        request,
        "reporting/board_draft.html",
        {"plan": plan, "quarter": quarter_row, "update": update, "form": form, "preview": preview},
        status=status,
    )


@require_safe
@report_view
def board_update_pdf(request, slug: str, quarter: int):
    plan = _plan(slug)
    update = _board_update(request, plan, quarter)
    if update is None:
        raise Http404
    if update.published:
        frozen = update.frozen_in(translation.get_language())
        response = _stored(request, frozen, bytes(frozen.pdf), "application/pdf", frozen.pdf_sha256)
        response["Content-Disposition"] = f'attachment; filename="civicplan-{plan.slug}-q{quarter}-board.pdf"'
        return response
    _fingerprint, html = services.board_update_documents(update, plan)
    return _download(render_pdf(html), "application/pdf", _filename(plan.slug, f"q{quarter}-board-draft", "pdf"))


@require_http_methods(["GET", "POST"])
@report_view
def board_update_publish(request, slug: str, quarter: int):
    """Publishing a board update to the board, confirmed (``_confirm_publication``)."""
    require(is_editor(request.user))
    plan = _plan(slug)
    update = get_object_or_404(BoardUpdate.objects.select_related("quarter"), annual_plan=plan, quarter__number=quarter)
    context = {
        "plan": plan,
        "quarter": update.quarter,
        "heading": _("Publish the board update"),
        "document_title": _("Board update, %(quarter)s %(plan)s")
        % {"quarter": update.quarter.code, "plan": plan.title},
        "back_url": reverse("reporting:board", args=[plan.slug, quarter]),
        "text_label": _("The message"),
        "text": update.message,
        "final": _(
            "Once published, the board update can never change: the board will read exactly this, "
            "as a page and as a PDF, whatever later happens to the plan."
        ),
    }
    return _confirm_publication(
        request,
        update,
        lambda language: services.board_update_publish(user=request.user, update=update, plan=plan, language=language),
        context=context,
        success=_("Published in %(language)s. The board now reads this update exactly as it is."),
    )
