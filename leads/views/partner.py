"""Partner pages of lead distribution: the inbox with its countdowns, the page of one lead and its actions.

A partner reads a preview of a lead offered to it (company, country, industry, product interest,
rating) and everything once it accepted (``leads.selectors.lead_fields_for``). A lead that is not,
or no longer, assigned to the caller's partner answers 404. Vendor staff work in the admin: the
pages send them to the same lead there (or 404 outside their scope) and refuse them the partner's
actions (see docs/adr/0006 and 0007).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from leads.sources import source_label
from partners.selectors import partner_currency
from prm.countries import COUNTRIES
from prm.errors import ServiceError
from prm.forms import IsoDateInput
from prm.idempotency.forms import form_once
from prm.listing import filter_chip
from prm.money.currencies import Currency
from prm.sla.calendar import Schedule
from prm.sla.display import clock_of
from prm.tenancy import get_visible_or_404, partner_page_caller

from .. import services
from ..models import CLOSED_STATUSES, WORKING_STATUSES, DeclineReason, Lead, LeadStatus
from ..selectors import INBOX_FILTERS, INBOX_SORTS, lead_fields_for, lead_list, lead_visible_fields

PAGE_SIZE = 25

# The fields shown on a lead's page, in this order, when the viewer may read them.
SHOWN_FIELDS = (
    "company",
    "country",
    "region",
    "city",
    "industry",
    "company_size",
    "product",
    "rating",
    "contact_name",
    "email",
    "phone",
    "source",
    "notes",
    "offered_at",
    "accepted_at",
    "contacted_at",
    "qualified_at",
    "closed_at",
    "lost_reason",
)
TIMES = ("offered_at", "accepted_at", "contacted_at", "qualified_at", "closed_at")

# --- forms ------------------------------------------------------------------------------------


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why do you decline it?"), choices=[("", "—"), *DeclineReason.choices]
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the channel team (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdvanceForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (LeadStatus.CONTACTED, LeadStatus.CONTACTED.label),
            (LeadStatus.QUALIFIED, LeadStatus.QUALIFIED.label),
        ],
        error_messages={
            "required": gettext_lazy("Choose contacted or qualified."),
            "invalid_choice": gettext_lazy("Choose contacted or qualified."),
        },
    )


class LostForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why was it lost?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConvertForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Estimated amount"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=Currency.choices)
    expected_close_date = forms.DateField(label=gettext_lazy("Expected close date"), widget=IsoDateInput())
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- helpers ----------------------------------------------------------------------------------


def _partner_or_staff_redirect(request, lead_pk=None):
    """The caller's partner; staff are sent to the admin (a lead outside their scope is 404)."""
    return partner_page_caller(request, admin="leads_lead", readable=lambda user: Lead.objects.all(), pk=lead_pk)


def _partner_for_action(request, pk):
    partner, staff = _partner_or_staff_redirect(request, pk)
    if staff:
        raise PermissionDenied
    return partner


def _lead(request, pk) -> Lead:
    """The lead with its clocks annotated, if it is assigned to the caller's partner (else 404)."""
    return get_visible_or_404(lead_list(request.user), request.user, pk=pk)


def _schedule(partner) -> Schedule:
    return Schedule.from_calendar(partner.program.calendar)


def _clock(lead: Lead, schedule, now):
    """The countdown that matters for the lead's status: acceptance while offered, first contact once accepted."""
    if lead.status == LeadStatus.OFFERED:
        return "acceptance", clock_of(lead.acceptance_clock, schedule, now)
    if lead.status == LeadStatus.ACCEPTED:
        return "first_contact", clock_of(lead.first_contact_clock, schedule, now)
    return "", None


def _display(lead: Lead, name: str):
    if name == "country":
        return COUNTRIES.get(lead.country, lead.country)
    if name == "product":
        return lead.product or ""
    if name in ("industry", "company_size", "rating"):
        return getattr(lead, f"get_{name}_display")()
    if name == "source":
        return source_label(lead.source)
    return getattr(lead, name)


def _facts(user, lead: Lead) -> list[dict]:
    """What the viewer may read of the lead (``lead_visible_fields``), as rows: the page shows no other field."""
    readable = lead_visible_fields(user, lead)
    return [
        {
            "name": name,
            "label": Lead._meta.get_field(name).verbose_name,
            "value": _display(lead, name),
            "is_time": name in TIMES,
        }
        for name in SHOWN_FIELDS
        if name in readable and readable[name] not in (None, "")
    ]


# --- inbox ------------------------------------------------------------------------------------


@login_required
@require_GET
def lead_inbox(request):
    partner, staff = _partner_or_staff_redirect(request)
    if staff:
        return staff
    status = request.GET.get("status", "")
    status = status if status in INBOX_FILTERS else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort.removeprefix("-") in INBOX_SORTS else ""
    page = Paginator(lead_list(request.user, status=status, sort=sort), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    schedule = _schedule(partner)
    rows = []
    for lead in page.object_list:
        kind, clock = _clock(lead, schedule, now)
        rows.append({"lead": lead, "country": COUNTRIES.get(lead.country, lead.country), "kind": kind, "clock": clock})
    filters = [
        ("", _("All")),
        ("offered", _("Awaiting your answer")),
        ("open", _("Accepted and in progress")),
        ("closed", _("Converted or lost")),
    ]
    kept = {"status": status, "sort": sort}
    chips = []
    if status:
        label = capfirst(dict(filters).get(status) or dict(LeadStatus.choices).get(status, status))
        chips.append(filter_chip(request.path, _("Status"), label, "status", kept))
    return render(
        request,
        "leads/lead_inbox.html",
        {
            "partner": partner,
            "page": page,
            "rows": rows,
            "filters": filters,
            "status": status,
            "sort": sort,
            "chips": chips,
            "extra": urlencode({key: value for key, value in kept.items() if value}),
        },
    )


# --- one lead ---------------------------------------------------------------------------------


def _render_detail(request, partner, lead, *, forms_with_errors=None, status=200):
    kind, clock = _clock(lead, _schedule(partner), timezone.now())
    accepted = lead.status in (*WORKING_STATUSES, *CLOSED_STATUSES)
    context = {
        "lead": lead,
        "facts": _facts(request.user, lead),
        "clock_kind": kind,
        "clock": clock,
        "can_answer": lead.status == LeadStatus.OFFERED,
        "can_contact": lead.status == LeadStatus.ACCEPTED,
        "can_qualify": lead.status == LeadStatus.CONTACTED,
        "can_convert": lead.status in (LeadStatus.CONTACTED, LeadStatus.QUALIFIED),
        "can_lose": lead.status in WORKING_STATUSES,
        "deal_id": lead.deal_id if accepted and "deal" in lead_fields_for(request.user, lead) else None,
        "decline_form": DeclineForm(),
        "lost_form": LostForm(),
        "convert_form": ConvertForm(initial={"currency": partner_currency(partner)}),
        **(forms_with_errors or {}),
    }
    return render(request, "leads/lead_detail.html", context, status=status)


@login_required
@require_GET
def lead_detail(request, pk):
    partner, staff = _partner_or_staff_redirect(request, pk)
    if staff:
        return staff
    return _render_detail(request, partner, _lead(request, pk))


def _refused(request, partner, pk, error: ServiceError, *, form_name=None, form=None):
    """A service refused the action: nothing changed; the page again with the reason (400)."""
    if form_name is not None and error.field in form.fields:
        form.add_error(error.field, error.message)
        forms_with_errors = {form_name: form}
    else:  # about the lead itself (its status): shown above the page, where it reads whatever forms are shown
        messages.error(request, error.message)
        forms_with_errors = None
    return _render_detail(request, partner, _lead(request, pk), forms_with_errors=forms_with_errors, status=400)


def _run(request, pk, run, *, form_class=None, form_name=None, then):
    """A POSTed action on one lead: the form, then the service, then ``then(result)`` (a redirect with
    a message). Bad input and refusals are shown on the lead's page with 400; nothing changed."""
    partner = _partner_for_action(request, pk)
    lead = _lead(request, pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        if form_name is None:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return _render_detail(request, partner, lead, status=400)
        return _render_detail(request, partner, lead, forms_with_errors={form_name: form}, status=400)
    try:
        result = run(lead, form.cleaned_data if form is not None else {})
    except PermissionDenied:
        raise Http404 from None  # taken away from the partner while the page was open
    except ServiceError as error:
        return _refused(request, partner, pk, error, form_name=form_name, form=form)
    return then(result)


def _done(request, message, to, *args):
    messages.success(request, message)
    return redirect(to, *args)


ALREADY_ACCEPTED = gettext_lazy("You have already accepted this lead; its contact details are below.")


def _already_accepted(lead: Lead) -> bool:
    return lead.status != LeadStatus.OFFERED and lead.accepted_at is not None


@login_required
@require_POST
def lead_accept(request, pk):
    partner = _partner_for_action(request, pk)
    lead = _lead(request, pk)
    if _already_accepted(lead):
        # A second click (or a second tab): the first one accepted it.
        messages.info(request, ALREADY_ACCEPTED)
        return redirect("lead_detail", lead.pk)
    try:
        services.lead_accept(actor=request.user, lead=lead)
    except PermissionDenied:
        raise Http404 from None
    except ServiceError as error:
        if _already_accepted(_lead(request, pk)):  # the first click committed while this one waited
            messages.info(request, ALREADY_ACCEPTED)
            return redirect("lead_detail", lead.pk)
        return _refused(request, partner, pk, error)
    return _done(
        request, _("Lead accepted. Contact the customer before the first-contact time runs out."), "lead_detail", pk
    )


@login_required
@require_POST
def lead_decline(request, pk):
    return _run(
        request,
        pk,
        lambda lead, data: services.lead_decline(
            actor=request.user, lead=lead, reason=data["reason"], note=data["note"]
        ),
        form_class=DeclineForm,
        form_name="decline_form",
        then=lambda lead: _done(request, _("Lead declined; it goes to another partner."), "lead_inbox"),
    )


@login_required
@require_POST
def lead_advance(request, pk):
    def then(lead):
        if lead.status == LeadStatus.CONTACTED:
            return _done(request, _("The lead is marked as contacted."), "lead_detail", pk)
        return _done(request, _("The lead is marked as qualified."), "lead_detail", pk)

    return _run(
        request,
        pk,
        lambda lead, data: services.lead_advance(actor=request.user, lead=lead, to_status=data["status"]),
        form_class=AdvanceForm,
        then=then,
    )


@login_required
@require_POST
def lead_lost(request, pk):
    return _run(
        request,
        pk,
        lambda lead, data: services.lead_mark_lost(actor=request.user, lead=lead, reason=data["reason"]),
        form_class=LostForm,
        form_name="lost_form",
        then=lambda lead: _done(request, _("The lead is closed as lost."), "lead_detail", pk),
    )


@login_required
@require_POST
def lead_convert(request, pk):
    """The lead becomes a deal registration draft (pre-filled, linked); the partner continues on the deal's page.
    A second click of the same form is sent to the same deal."""

    def convert(lead, data):
        with form_once(request, "leads.convert") as once:
            if once.replayed:
                return once.replay()
            deal = services.lead_convert(actor=request.user, lead=lead, **data)
            once.done(reverse("deal_detail", args=[deal.pk]))
            return deal

    def then(result):
        if isinstance(result, HttpResponse):  # the replay of a second click
            return result
        message = _("The lead is converted into a deal registration draft. Check it and submit it for approval.")
        return _done(request, message, "deal_detail", result.pk)

    return _run(request, pk, convert, form_class=ConvertForm, form_name="convert_form", then=then)
