"""The admin site, and what every civicplan admin page with history or spreadsheets shares."""

from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm, SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from .spreadsheet_files import FORMATS, SpreadsheetError, check_size
from .spreadsheets import report_from_result


class CivicplanAdminSite(admin.AdminSite):
    """Django's admin site, refusing a request that Django's own views (and those of the
    apps it hosts) answer with a server error: an empty ``_to_field`` is a 400, as any
    field the admin does not allow."""

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def checked(request, *args, **kwargs):
            if request.GET.get(TO_FIELD_VAR) == "" or request.POST.get(TO_FIELD_VAR) == "":
                raise DisallowedModelAdminToField("The field '' cannot be referenced.")
            return inner(request, *args, **kwargs)

        return checked


class HistoryAdmin(SimpleHistoryAdmin):
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
