"""The editors' changes to the plan's structure: a priority's words, its expected results
and its learning question (the results' indicators are initiatives/plan_views.py's).

Every view answers 403 to anyone but an editor before it reads anything, and finds the
part it changes under the plan and the priority its address names (404 otherwise); the
services check again. Quarter locks do not apply: the structure is not quarterly data."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from civicplan import edit_views
from civicplan.permissions import is_editor, require

from . import services
from .forms import ExpectedResultForm, LearningQuestionForm, PriorityForm
from .models import ExpectedResult, LearningQuestion, StrategicPriority


def _structure_priority(slug: str, number: int) -> StrategicPriority:
    return get_object_or_404(
        StrategicPriority.objects.select_related("annual_plan"), annual_plan__slug=slug, number=number
    )


def _structure_result(slug: str, number: int, result: int) -> ExpectedResult:
    return get_object_or_404(
        ExpectedResult.objects.select_related("priority__annual_plan"),
        priority__annual_plan__slug=slug,
        priority__number=number,
        number=result,
    )


@require_http_methods(["GET", "POST"])
def priority_edit(request, slug: str, number: int):
    """An editor changes a priority's title, short title and statement."""
    require(is_editor(request.user))
    priority = _structure_priority(slug, number)
    return edit_views.edit_form(
        request,
        priority=priority,
        obj=priority,
        form_class=PriorityForm,
        save=lambda form: services.priority_update(
            user=request.user, priority=priority, fingerprint=form.cleaned_data["fingerprint"], **form.service_fields()
        ),
        done=lambda saved: (
            _("Strategic priority %(number)s saved.") % {"number": number},
            priority.get_absolute_url(),
        ),
        context={
            "heading": _("Edit strategic priority %(number)s") % {"number": priority.number},
            "action": reverse("priorities:priority_edit", args=[slug, number]),
            "submit": _("Save the priority"),
        },
    )


@require_http_methods(["GET", "POST"])
def expected_result_create(request, slug: str, number: int):
    """An editor adds an expected result to a priority; it takes the next number."""
    require(is_editor(request.user))
    priority = _structure_priority(slug, number)
    return edit_views.edit_form(
        request,
        priority=priority,
        obj=ExpectedResult(priority=priority),
        form_class=ExpectedResultForm,
        save=lambda form: services.expected_result_create(
            user=request.user, priority=priority, **form.service_fields()
        ),
        done=lambda saved: (
            _("Expected result %(code)s added.") % {"code": saved.code},
            f"{priority.get_absolute_url()}#result-{saved.number}",
        ),
        context={
            "heading": _("Add an expected result to priority %(number)s") % {"number": priority.number},
            "action": reverse("priorities:expected_result_create", args=[slug, number]),
            "submit": _("Add the expected result"),
        },
    )


@require_http_methods(["GET", "POST"])
def expected_result_edit(request, slug: str, number: int, result: int):
    require(is_editor(request.user))
    item = _structure_result(slug, number, result)
    return edit_views.edit_form(
        request,
        priority=item.priority,
        obj=item,
        form_class=ExpectedResultForm,
        save=lambda form: services.expected_result_update(
            user=request.user, result=item, fingerprint=form.cleaned_data["fingerprint"], **form.service_fields()
        ),
        done=lambda saved: (
            _("Expected result %(code)s saved.") % {"code": item.code},
            f"{item.priority.get_absolute_url()}#result-{item.number}",
        ),
        context={
            "heading": _("Edit expected result %(code)s") % {"code": item.code},
            "action": reverse("priorities:expected_result_edit", args=[slug, number, result]),
            "submit": _("Save the expected result"),
            "delete_url": reverse("priorities:expected_result_delete", args=[slug, number, result]),
            "delete_label": _("Delete this expected result"),
        },
    )


@require_http_methods(["GET", "POST"])
def learning_question_edit(request, slug: str, number: int, question: int):
    require(is_editor(request.user))
    item = get_object_or_404(
        LearningQuestion.objects.select_related("priority__annual_plan"),
        priority__annual_plan__slug=slug,
        priority__number=number,
        number=question,
    )
    return edit_views.edit_form(
        request,
        priority=item.priority,
        obj=item,
        form_class=LearningQuestionForm,
        save=lambda form: services.learning_question_update(
            user=request.user, question=item, fingerprint=form.cleaned_data["fingerprint"], **form.service_fields()
        ),
        done=lambda saved: (
            _("Learning question of priority %(number)s saved.") % {"number": number},
            f"{item.priority.get_absolute_url()}#question-{item.number}",
        ),
        context={
            "heading": _("Edit the learning question of priority %(number)s") % {"number": number},
            "action": reverse("priorities:learning_question_edit", args=[slug, number, question]),
            "submit": _("Save the learning question"),
        },
    )


@require_http_methods(["GET", "POST"])
def expected_result_delete(request, slug: str, number: int, result: int):
    """GET asks for confirmation, with the indicators and values that go with the result;
    POST deletes them all."""
    require(is_editor(request.user))
    item = _structure_result(slug, number, result)

    def delete(seen):
        services.expected_result_delete(
            user=request.user, result=item, indicators_seen=seen["indicators"], values_seen=seen["values"]
        )
        return _("Expected result %(code)s deleted.") % {"code": item.code}

    def consequences(dependents):
        if not dependents["indicators"]:
            sentences = [_("It has no indicator.")]
        else:
            sentences = [
                ngettext(
                    "Its %(count)s indicator will be deleted with it.",
                    "Its %(count)s indicators will be deleted with it.",
                    dependents["indicators"],
                )
                % {"count": dependents["indicators"]}
            ]
        if dependents["values"]:
            sentences.append(
                ngettext(
                    "%(count)s recorded value of its indicators will be deleted too.",
                    "%(count)s recorded values of its indicators will be deleted too.",
                    dependents["values"],
                )
                % {"count": dependents["values"]}
            )
            sentences += edit_views.locked_values_sentence(dependents)
        if dependents["initiatives"]:
            sentences.append(
                ngettext(
                    "%(count)s initiative serves it; it will no longer.",
                    "%(count)s initiatives serve it; they will no longer.",
                    dependents["initiatives"],
                )
                % {"count": dependents["initiatives"]}
            )
        return sentences

    return edit_views.confirm_delete(
        request,
        priority=item.priority,
        item=item,
        dependents=services.expected_result_dependents(item),
        seen_names=("indicators", "values"),
        delete=delete,
        consequences=consequences,
        done_url=f"{item.priority.get_absolute_url()}#results-heading",
        context={
            "heading": _("Delete expected result %(code)s") % {"code": item.code},
            "text": item.text,
            "action": reverse("priorities:expected_result_delete", args=[slug, number, result]),
            "confirm": _("Yes, delete the expected result"),
            "back": reverse("priorities:expected_result_edit", args=[slug, number, result]),
        },
    )
