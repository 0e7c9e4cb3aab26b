"""The editors' page that rolls an annual plan over into its next year: a preview of what
will be made, carried and left, then all of it in one go (initiatives/rollover.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from modeltranslation.settings import DEFAULT_LANGUAGE

from civicplan.permissions import is_editor, require
from civicplan.translations import in_default_language
from priorities.models import TITLE_MAX, AnnualPlan

from . import rollover
from .models import Status


class RolloverForm(forms.Form):
    slug = forms.CharField(
        label=gettext_lazy("The new plan's short name"),
        max_length=50,
        help_text=gettext_lazy("Its address on the site, for example 2023-24."),
    )
    title = forms.CharField(label=gettext_lazy("Its title"), max_length=TITLE_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["lang"] = DEFAULT_LANGUAGE


@require_http_methods(["GET", "HEAD", "POST"])
def rollover_plan(request, slug: str):
    """GET: the form and the preview of the usual next year. POST: the preview of what the
    form names ("preview"), or the roll-over itself ("rollover"): refused with a message
    and nothing written when it cannot be done."""
    require(is_editor(request.user))
    source = get_object_or_404(AnnualPlan, slug=slug)
    if request.method == "POST":
        form = RolloverForm(request.POST)
    else:
        # The title as the plan is written (its default language); the other languages'
        # titles are the source's, their years moved on.
        title = rollover.next_title(source, in_default_language(source, "title"))
        form = RolloverForm(initial={"slug": rollover.next_slug(source), "title": title})
    preview, errors = None, []
    if not form.is_bound or form.is_valid():
        values = form.cleaned_data if form.is_bound else form.initial
        try:
            if request.POST.get("action") == "rollover":
                plan = rollover.rollover_plan(
                    user=request.user, source_slug=slug, target_slug=values["slug"], title=values["title"]
                )
                messages.success(
                    request,
                    _("%(title)s is made. Set its indicators' targets, then open its first round.")
                    % {"title": plan.title},
                )
                return redirect("initiatives:plan", plan.slug)
            preview = rollover.rollover_preview(source_slug=slug, target_slug=values["slug"], title=values["title"])
        except ValidationError as error:
            errors = error.messages
    refused = request.method == "POST" and (errors or form.errors)
    return render(
        request,
        "initiatives/rollover.html",
        {
            "plan": source,
            "form": form,
            "preview": preview,
            "errors": errors,
            "status_labels": dict(Status.choices),
        },
        status=400 if refused else 200,
    )
