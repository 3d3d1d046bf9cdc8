"""The admin's import screens: upload a file, see what it would do, confirm it.

The upload is kept (plan.spreadsheets.keep_upload) until the confirm takes it. What the preview
saw (the kept upload, the file's name, the reason, each record's version) reaches the confirm
signed, so it cannot be changed on the way; the confirm reads the file again and imports it
only if every record it touches is as the preview saw it.
"""

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from investment.imports import (
    ENTERED,
    IDENTITY,
    NEW,
    PROJECTS,
    REPORTS,
    SHOWN,
    SKIP,
    UPDATE,
    FileImport,
)
from investment.models import REASON_LENGTH
from investment.tables import LABELS, PROJECT_LABELS, read_table
from people.access import reach
from plan.spreadsheets import (
    KEPT_SECONDS,
    MAX_BYTES,
    FileRefused,
    keep_upload,
    take_upload,
    too_big,
)

SALT = "investment.import.preview"


class ImportForm(forms.Form):
    """The upload: refuses an oversized file before reading a byte of it."""

    import_file = forms.FileField(label=gettext_lazy("File to import (.xlsx or .csv)"))
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction (closed quarters)"),
        required=False,
        max_length=REASON_LENGTH,
        help_text=gettext_lazy("The office gives one to import into a closed quarter."),
    )

    def __init__(self, *args, office: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not office:
            del self.fields["reason"]  # Only the office imports into a closed quarter.

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(str(too_big(upload.size)))
        return upload


class ConfirmImportForm(forms.Form):
    """The confirm: what the preview saw, signed."""

    preview = forms.CharField(widget=forms.HiddenInput)

    @staticmethod
    def signed(**preview) -> str:
        return signing.dumps(preview, salt=SALT, compress=True)

    def clean_preview(self) -> dict:
        try:
            return signing.loads(self.cleaned_data["preview"], salt=SALT, max_age=KEPT_SECONDS)
        except signing.BadSignature as error:
            raise ValidationError(_("This import has expired: upload the file again.")) from error


class ImportScreens:
    """The import's two screens, on the reports' admin."""

    def get_urls(self):
        screens = [
            path("import/", self.admin_site.admin_view(self.import_view), name=self.url("import")),
            path(
                "process_import/",
                self.admin_site.admin_view(self.confirm_view),
                name=self.url("process_import"),
            ),
        ]
        return [*screens, *super().get_urls()]

    def url(self, name: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{name}"

    def import_view(self, request):
        """The upload page, and on a post the preview of what the file would do."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        office = reach(request.user).office
        form = ImportForm(request.POST or None, request.FILES or None, office=office)
        rows = confirm = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            data = upload.read()
            try:
                table = read_table(data)
            except FileRefused as error:
                form.add_error("import_file", str(error))
            else:
                reason = form.cleaned_data.get("reason", "")
                rows = FileImport(table, user=request.user, file_name=upload.name, reason=reason)
                if rows.run(dry_run=True):
                    preview = ConfirmImportForm.signed(
                        upload=keep_upload(data, request.user),
                        file_name=upload.name,
                        versions=[[*key, version] for key, version in rows.versions.items()],
                        reason=rows.reason,
                    )
                    confirm = ConfirmImportForm(initial={"preview": preview})
        return self.import_page(request, form, rows, confirm)

    def confirm_view(self, request):
        """Import the previewed file, if every record it touches is as the preview saw it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = ConfirmImportForm(request.POST)
        back = redirect(reverse(f"admin:{self.url('import')}"))
        preview = form.cleaned_data["preview"] if form.is_valid() else {}
        data = take_upload(preview.get("upload", ""), request.user)
        if data is None:
            # Posted twice (the first took the file), expired, forged: never a 500.
            self.message_user(
                request,
                _("This import was already confirmed or has expired: upload the file again."),
                messages.ERROR,
            )
            return back
        try:
            table = read_table(data)
        except FileRefused:
            self.message_user(request, _("This import has expired: upload the file again."))
            return back
        rows = FileImport(
            table,
            user=request.user,
            file_name=preview["file_name"],
            reason=preview["reason"],
            previewed={tuple(row[:-1]): row[-1] for row in preview["versions"]},
        )
        if not rows.run(dry_run=False):
            # Something changed between preview and confirm; nothing was saved.
            self.message_user(
                request,
                _("Nothing was imported: the file no longer passes the checks. Upload it again."),
                messages.ERROR,
            )
            said = [*rows.errors, *(e for line in rows.failed for e in line.errors)]
            for error in dict.fromkeys(said):
                self.message_user(request, error, messages.ERROR)
            return back
        counts = rows.counts()
        summary = _("%(new)d new, %(update)d changed, %(skip)d unchanged or empty.") % {
            "new": counts[NEW],
            "update": counts[UPDATE],
            "skip": counts[SKIP],
        }
        self.message_user(request, _("Imported: ") + summary, messages.SUCCESS)
        landing = rows.landing()
        if landing is None:
            return redirect(reverse(f"admin:{self.url('changelist')}"))
        year, city, quarter = landing
        query = urlencode({"year": year, "city": city, "quarter": quarter})
        return redirect(f"{reverse('admin:investment_quarter')}?{query}")

    def import_page(self, request, form, rows, confirm):
        sheets = []
        if rows is not None:
            for sheet, labels in ((REPORTS, LABELS), (PROJECTS, PROJECT_LABELS)):
                lines = rows.sheet(sheet)
                if sheet == PROJECTS and not rows.has_projects:
                    continue
                raw = ["project_id", *SHOWN[sheet]] if sheet == PROJECTS else SHOWN[sheet]
                sheets.append(
                    {
                        "projects": sheet == PROJECTS,
                        "lines": lines,
                        "failed": [line for line in lines if line.errors],
                        "identity": [labels[column] for column in IDENTITY[sheet]],
                        "entered": [labels[column] for column in ENTERED[sheet]],
                        "span": len(IDENTITY[sheet]) + 2 * len(ENTERED[sheet]),
                        "raw_headers": [labels[column] for column in raw],
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import quarterly figures"),
            "opts": self.opts,
            "form": form,
            "rows": rows,
            "sheets": sheets,
            "confirm_form": confirm,
            "columns": ", ".join(LABELS.values()),
        }
        return TemplateResponse(request, "admin/investment/progressreport/import.html", context)
