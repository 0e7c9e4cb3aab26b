"""What every civicplan admin page with spreadsheets shares."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm, SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin

from .spreadsheet_files import FORMATS, SpreadsheetError, check_size
from .spreadsheets import report_from_result


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


class SpreadsheetAdmin(SimpleHistoryAdmin, ImportExportModelAdmin):
    """Import and export in CSV and XLSX, all rows or none, with the reasons in words;
    and the History button of django-simple-history.

    Import and export need the model's ``import_*``/``export_*`` permission (see the
    IMPORT_EXPORT_*_PERMISSION_CODE settings); a superuser has them all.
    """

    formats = FORMATS
    import_form_class = LimitedImportForm
    export_form_class = CspExportForm
    to_encoding = None  # SafeCSV writes UTF-8 with a byte-order mark itself

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
