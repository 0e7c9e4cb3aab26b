"""The admin site, and what every civicplan admin page with history or spreadsheets shares."""

import math
from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR, IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm, SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from .models import LOGO_MAX_BYTES, Organisation, logo_content_type
from .spreadsheet_files import FORMATS, SpreadsheetError, check_size
from .spreadsheets import report_from_result


class CivicplanAdminSite(admin.AdminSite):
    """Django's admin site, refusing a request that Django's own views (and those of the
    apps it hosts) answer with a server error: an empty ``_to_field`` is a 400, as any
    field the admin does not allow. It holds the site-wide organisation itself."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Here, not with @admin.register in this module: this module is imported while the
        # default site is being made from it, and a site made then would be thrown away.
        self.register(Organisation, OrganisationAdmin)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model's admin, civicplan's and the hosted apps' (axes), with CheckedLookups."""
        base = admin_class or admin.ModelAdmin
        checked = type(base.__name__, (CheckedLookups, base), {"__module__": base.__module__, "__doc__": base.__doc__})
        super().register(model_or_iterable, checked, **options)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def checked(request, *args, **kwargs):
            if request.GET.get(TO_FIELD_VAR) == "" or request.POST.get(TO_FIELD_VAR) == "":
                raise DisallowedModelAdminToField("The field '' cannot be referenced.")
            return inner(request, *args, **kwargs)

        return checked


class CheckedLookups:
    """A list filtered by a value its column cannot hold (``?ip_address=%20`` for an address)
    fails only when the list is counted, after Django's admin has stopped checking the
    filters: a server error. It is the admin's own "bad filter" answer instead."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, re-rendering a refused form, looks every submitted value
    up as a key of the related table: a value that cannot be one (" " for a number) raised
    ValueError there, a server error instead of the form's own "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        key = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        keys = []
        for item in value:
            try:
                key.to_python(item)
            except ValidationError:
                continue
            keys.append(item)
        return super().optgroups(name, keys, attr)


class SafeAutocomplete:
    """For a ModelAdmin or an inline with ``autocomplete_fields``: SafeAutocompleteSelect."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class HistoryAdmin(SafeAutocomplete, SimpleHistoryAdmin):
    """django-simple-history's History button; an object id that is not one (``abc`` for
    a number) is a 404, not a server error."""

    def history_view(self, request, object_id, extra_context=None):
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None
        return super().history_view(request, object_id, extra_context)


class LimitedImportForm(ImportForm):
    """Refuses an oversized file before any byte of it is read into memory."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except SpreadsheetError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class CspExportForm(SelectableFieldsExportForm):
    """The export form, with a script that does what the page's inline handler would (the
    Content-Security-Policy refuses inline handlers)."""

    @property
    def media(self):
        return super().media + forms.Media(js=("civicplan/admin_export.js",))


class SpreadsheetAdmin(HistoryAdmin, ImportExportModelAdmin):
    """Import and export in CSV and XLSX, all rows or none, with the reasons in words;
    and the History button of django-simple-history.

    Import and export need the model's ``import_*``/``export_*`` permission (see the
    IMPORT_EXPORT_*_PERMISSION_CODE settings); a superuser has them all.
    """

    formats = FORMATS
    import_form_class = LimitedImportForm
    export_form_class = CspExportForm
    to_encoding = None  # SafeCSV writes UTF-8 with a byte-order mark itself

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # django-import-export asks the resource for native dates and numbers only when the
        # format is exactly one of its own binary classes; ours say so with ``native_types``.
        if not self.has_export_permission(request):
            raise PermissionDenied
        native = getattr(file_format, "native_types", False)
        data = self.get_data_for_export(request, queryset, force_native_type=native, **kwargs)
        return file_format.export_data(data)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if request.method == "POST" and "confirm_form" not in context:
            self._forget_upload(context.get("form"))
        result = context.get("result")
        if result is not None:
            report = report_from_result(result)
            if report.errors:
                messages.error(request, report.summary())
                for line in report.errors:
                    messages.error(request, line)
            else:
                messages.info(request, report.summary())
        return response

    def _forget_upload(self, form) -> None:
        """django-import-export keeps every upload in a temporary file until the import is
        confirmed; a refused file is never confirmed, so its copy (people's notes) would stay
        on disk. Remove it."""
        upload = form.cleaned_data.get("import_file") if form is not None and hasattr(form, "cleaned_data") else None
        name = getattr(upload, "tmp_storage_name", None)
        if name:
            self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs()).remove()

    def process_result(self, result, request):
        report = report_from_result(result)
        if report.errors:
            # The file passed the preview but not the import (the data changed since):
            # nothing was written, and the user is told why.
            messages.error(request, report.summary())
            for line in report.errors:
                messages.error(request, line)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        return super().process_result(result, request)


class OrganisationForm(forms.ModelForm):
    """The organisation's name, and its logo as an uploaded file: checked by its content
    (Organisation.clean and logo_content_type), nothing saved when it is refused."""

    logo_file = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "Shown on the cover of every report. A PNG, a JPEG or an SVG of at most %(limit)s KB; an SVG "
            "with scripts or references to other files is refused."
        )
        % {"limit": LOGO_MAX_BYTES // 1024},
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Organisation
        fields = ["name"]

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:  # refused before it is read into memory
            raise forms.ValidationError(
                _("The logo is %(size)s KB; it may be %(limit)s KB at most."),
                params={"size": math.ceil(upload.size / 1024), "limit": LOGO_MAX_BYTES // 1024},
                code="logo_too_large",
            )
        data = upload.read()
        return data, logo_content_type(data)

    def clean(self):
        cleaned = super().clean()
        logo = cleaned.get("logo_file")
        if logo and cleaned.get("remove_logo"):
            raise forms.ValidationError(_("Upload a new logo or remove the logo, not both."), code="logo_both")
        if logo:
            self.instance.logo, self.instance.logo_type = logo
        elif cleaned.get("remove_logo"):
            self.instance.logo, self.instance.logo_type = b"", ""
        return cleaned


class OrganisationAdmin(admin.ModelAdmin):
    """One organisation: added once, then changed; its logo shown as it is stored."""

    form = OrganisationForm
    fields = ["name", "current_logo", "logo_file", "remove_logo"]
    readonly_fields = ["current_logo"]
    list_display = ["name", "logo_type"]

    @admin.display(description=_("Current logo"))
    def current_logo(self, organisation: Organisation) -> str:
        if not organisation.logo:
            return _("None")
        return format_html('<img src="{}" alt="{}" height="80">', organisation.logo_data_uri, _("Current logo"))

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not Organisation.objects.exists()
