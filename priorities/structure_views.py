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
from .models import ExpectedResult, LearningQuestion
from .querysets import plan_priority, plan_result


class PriorityEdit(edit_views.PlanPartFormView):
    """An editor changes a priority's title, short title and statement."""

    form_class = PriorityForm

    def get_object(self):
        return plan_priority(self.kwargs["slug"], self.kwargs["number"])

    def priority(self):
        return self.object

    def save(self, form):
        return services.priority_update(
            user=self.request.user,
            priority=self.object,
            fingerprint=form.cleaned_data["fingerprint"],
            **form.service_fields(),
        )

    def success_message(self, saved):
        return _("Strategic priority %(number)s saved.") % {"number": saved.number}

    def success_url_for(self, saved):
        return saved.get_absolute_url()

    def page(self):
        return {
            "heading": _("Edit strategic priority %(number)s") % {"number": self.object.number},
            "submit": _("Save the priority"),
        }


class ExpectedResultCreate(edit_views.PlanPartFormView):
    """An editor adds an expected result to a priority; it takes the next number."""

    form_class = ExpectedResultForm

    def get_object(self):
        return ExpectedResult(priority=plan_priority(self.kwargs["slug"], self.kwargs["number"]))

    def priority(self):
        return self.object.priority

    def save(self, form):
        return services.expected_result_create(
            user=self.request.user, priority=self.object.priority, **form.service_fields()
        )

    def success_message(self, saved):
        return _("Expected result %(code)s added.") % {"code": saved.code}

    def success_url_for(self, saved):
        return f"{saved.priority.get_absolute_url()}#result-{saved.number}"

    def page(self):
        return {
            "heading": _("Add an expected result to priority %(number)s") % {"number": self.object.priority.number},
            "submit": _("Add the expected result"),
        }


class ExpectedResultEdit(edit_views.PlanPartFormView):
    form_class = ExpectedResultForm

    def get_object(self):
        return plan_result(self.kwargs["slug"], self.kwargs["number"], self.kwargs["result"])

    def priority(self):
        return self.object.priority

    def save(self, form):
        return services.expected_result_update(
            user=self.request.user,
            result=self.object,
            fingerprint=form.cleaned_data["fingerprint"],
            **form.service_fields(),
        )

    def success_message(self, saved):
        return _("Expected result %(code)s saved.") % {"code": self.object.code}

    def success_url_for(self, saved):
        return f"{self.object.priority.get_absolute_url()}#result-{self.object.number}"

    def page(self):
        args = [self.kwargs["slug"], self.kwargs["number"], self.kwargs["result"]]
        return {
            "heading": _("Edit expected result %(code)s") % {"code": self.object.code},
            "submit": _("Save the expected result"),
            "delete_url": reverse("priorities:expected_result_delete", args=args),
            "delete_label": _("Delete this expected result"),
        }


class LearningQuestionEdit(edit_views.PlanPartFormView):
    form_class = LearningQuestionForm

    def get_object(self):
        return get_object_or_404(
            LearningQuestion.objects.select_related("priority__annual_plan"),
            priority__annual_plan__slug=self.kwargs["slug"],
            priority__number=self.kwargs["number"],
            number=self.kwargs["question"],
        )

    def priority(self):
        return self.object.priority

    def save(self, form):
        return services.learning_question_update(
            user=self.request.user,
            question=self.object,
            fingerprint=form.cleaned_data["fingerprint"],
            **form.service_fields(),
        )

    def success_message(self, saved):
        return _("Learning question of priority %(number)s saved.") % {"number": self.object.priority.number}

    def success_url_for(self, saved):
        return f"{self.object.priority.get_absolute_url()}#question-{self.object.number}"

    def page(self):
        return {
            "heading": _("Edit the learning question of priority %(number)s") % {"number": self.object.priority.number},
            "submit": _("Save the learning question"),
        }


@require_http_methods(["GET", "POST"])
def expected_result_delete(request, slug: str, number: int, result: int):
    """GET asks for confirmation, with the indicators and values that go with the result;
    POST deletes them all."""
    require(is_editor(request.user))
    item = plan_result(slug, number, result)

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
