"""Staff pages of lead intake: the CSV import form, a job's page with its progress (polled with
htmx) and its error report. Staff who import leads only (``leads.add_lead``); others get 403."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from prm.errors import ServiceError
from prm.idempotency.forms import form_once
from prm.tenancy import record_denied_access

from .. import imports

RECENT_JOBS = 20


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    assign = forms.BooleanField(label=gettext_lazy("Offer the imported leads to partners by the rules"), required=False)


def importer_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not imports.may_import(request.user):
            record_denied_access(request.user, request.path)
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _job(request, pk):
    job = imports.lead_imports_visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@importer_required
@require_http_methods(["GET", "POST"])
def lead_import(request):
    can_assign = imports.may_assign(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if not can_assign:
        del form.fields["assign"]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with form_once(request, "leads.import") as once:
                    if once.replayed:
                        return once.replay()
                    job = imports.lead_import_start(
                        actor=request.user,
                        upload=form.cleaned_data["file"],
                        assign=bool(form.cleaned_data.get("assign")),
                    )
                    response = once.done(reverse("staff_lead_import_detail", kwargs={"pk": job.pk}))
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    _("The file is accepted: %(rows)d rows are being imported.") % {"rows": job.total_rows},
                )
                return response
    return render(
        request,
        "leads/staff/import.html",
        {
            "form": form,
            "jobs": imports.lead_imports_visible_to(request.user)[:RECENT_JOBS],
            "columns": imports.COLUMNS,
            "required": imports.REQUIRED,
            "max_mb": round(imports.MAX_BYTES / 1024 / 1024),
        },
        status=status,
    )


@importer_required
@require_GET
def lead_import_detail(request, pk):
    job = _job(request, pk)
    return render(
        request,
        "leads/staff/import_detail.html",
        {"job": job, "errors": job.errors.order_by("row", "pk")[:50]},
    )


@never_cache
@importer_required
@require_GET
def lead_import_progress(request, pk):
    """The progress fragment; htmx polls it while the job is queued or running."""
    return render(request, "leads/staff/_import_progress.html", {"job": _job(request, pk)})


@importer_required
@require_GET
def lead_import_errors(request, pk):
    job = _job(request, pk)
    response = StreamingHttpResponse(imports.error_report_rows(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lead-import-{job.pk}-errors.csv"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
