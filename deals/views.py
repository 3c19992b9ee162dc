"""Partner pages of deal registration: the list with its clocks, the form, the page of one deal and its actions.

Vendor staff work in the admin: the pages send them to the same deal there (or 404 outside their scope).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from catalogue.models import Product
from catalogue.selectors import active_products
from partners.selectors import partner_currency
from prm.countries import country_choices
from prm.errors import ServiceError
from prm.forms import IsoDateInput
from prm.idempotency.forms import form_once
from prm.listing import CountedPaginator, OpenEndedPage, filter_chip
from prm.money.currencies import Currency
from prm.sla.calendar import Schedule
from prm.sla.display import clock_of
from prm.tenancy import get_visible_or_404, partner_page_caller

from . import services
from .models import OPEN_STATUSES, Deal, DealStage, DealStatus
from .selectors import (
    LIST_FILTERS,
    LIST_SORTS,
    deal_detail_queryset,
    deal_list,
    deal_list_count,
    deal_timeline,
    deals_visible_to,
    program_settings,
)

PAGE_SIZE = 25

# --- forms ------------------------------------------------------------------------------------


class DealForm(forms.Form):
    customer_company = forms.CharField(label=gettext_lazy("Customer company"), max_length=200)
    customer_email = forms.EmailField(
        label=gettext_lazy("Customer contact email"),
        max_length=254,
        required=False,
        help_text=gettext_lazy("The buyer's work address: its domain helps find an earlier registration."),
    )
    customer_tax_id = forms.CharField(label=gettext_lazy("Customer tax ID"), max_length=60, required=False)
    customer_country = forms.ChoiceField(label=gettext_lazy("Customer country"), choices=())
    products = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Products"), queryset=Product.objects.none(), required=False
    )
    amount = forms.DecimalField(label=gettext_lazy("Estimated amount"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=Currency.choices)
    expected_close_date = forms.DateField(label=gettext_lazy("Expected close date"), widget=IsoDateInput())
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_country"].choices = [("", "—"), *country_choices()]
        self.fields["products"].queryset = active_products()
        self.fields["products"].widget = forms.CheckboxSelectMultiple(choices=self.fields["products"].choices)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ProgressForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Sales stage"), choices=DealStage.choices)
    amount = forms.DecimalField(label=gettext_lazy("Estimated amount"), min_value=0, max_digits=14, decimal_places=2)


class WonForm(forms.Form):
    final_amount = forms.DecimalField(label=gettext_lazy("Final amount"), min_value=0, max_digits=14, decimal_places=2)
    closed_on = forms.DateField(label=gettext_lazy("Close date"), widget=IsoDateInput())


class LostForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why was it lost?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtensionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you need more time?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- helpers ----------------------------------------------------------------------------------


def _partner_or_staff_redirect(request, deal_pk=None):
    """The caller's partner; staff are sent to the admin (a deal outside their scope or a draft is 404)."""
    return partner_page_caller(request, admin="deals_deal", readable=deals_visible_to, pk=deal_pk)


def _schedule(partner) -> Schedule:
    return Schedule.from_calendar(partner.program.calendar)


def _deal(request, pk) -> Deal:
    return get_visible_or_404(deal_detail_queryset(), request.user, pk=pk)


def _form_errors(form, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _service_fields(cleaned: dict) -> dict:
    data = dict(cleaned)
    data.pop("products", None)
    return data


# --- list and form ----------------------------------------------------------------------------


def _status_label(filters, status: str) -> str:
    """The label of a status filter: one of the menu, or a status given in the address (``?status=submitted``)."""
    return capfirst(dict(filters).get(status) or dict(DealStatus.choices).get(status, status))


@login_required
@require_http_methods(["GET"])
def deal_list_page(request):
    partner, staff = _partner_or_staff_redirect(request)
    if staff:
        return staff
    status = request.GET.get("status", "")
    status = status if status in LIST_FILTERS else ""
    search = request.GET.get("q", "")
    sort = request.GET.get("sort", "")
    sort = sort if sort.removeprefix("-") in LIST_SORTS else ""
    deals = deal_list(request.user, status=status, search=search, sort=sort)
    count = deal_list_count(partner, status=status, search=search)  # not a count of 20,000 rows at each visit
    if count is None:  # a search: its matches are not counted, the pager says whether more follow
        page = OpenEndedPage(deals, PAGE_SIZE, request.GET.get("page"))
    else:
        page = CountedPaginator(deals, PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    now = timezone.now()
    schedule = _schedule(partner)
    rows = [(deal, clock_of(deal.decision_clock, schedule, now)) for deal in page.object_list]
    filters = [("", _("All")), ("open", _("Awaiting decision")), ("active", _("Protected"))]
    filters += [(value, label) for value, label in DealStatus.choices if value not in OPEN_STATUSES]
    kept = {"status": status, "q": search, "sort": sort}
    chips = []
    if status:
        chips.append(filter_chip(request.path, _("Status"), _status_label(filters, status), "status", kept))
    if search.strip():
        chips.append(filter_chip(request.path, _("Customer"), search, "q", kept))
    return render(
        request,
        "deals/deal_list.html",
        {
            "partner": partner,
            "page": page,
            "rows": rows,
            "filters": filters,
            "status": status,
            "search": search,
            "sort": sort,
            "chips": chips,
            "extra": urlencode({key: value for key, value in kept.items() if value}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request):
    partner, staff = _partner_or_staff_redirect(request)
    if staff:
        return staff
    form = DealForm(
        request.POST or None, initial={"currency": partner_currency(partner), "customer_country": partner.country}
    )
    return _deal_form(request, form, partner=partner, deal=None)


def _deal_form(request, form, *, partner, deal):
    """Save the draft (created or edited) and, with the "submit" button, submit it: both or neither."""
    if request.method == "POST" and form.is_valid():
        fields = _service_fields(form.cleaned_data)
        products = form.cleaned_data["products"]
        try:
            with form_once(request, "deals.create" if deal is None else "deals.edit") as once:
                if once.replayed:  # a second click: sent where the first went, nothing saved twice
                    return once.replay()
                if deal is None:
                    saved = services.deal_create_draft(actor=request.user, partner=partner, products=products, **fields)
                else:
                    saved = services.deal_update_draft(actor=request.user, deal=deal, products=products, **fields)
                if "submit" in request.POST:
                    saved = services.deal_submit(actor=request.user, deal=saved)
                response = once.done(reverse("deal_detail", args=[saved.pk]))
        except ServiceError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _submitted_message(saved) if "submit" in request.POST else _("Draft saved."))
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/deal_form.html", {"form": form, "deal": deal}, status=status)


def _submitted_message(deal) -> str:
    if deal.status == DealStatus.SUBMITTED and deal.conflict_flag:
        return _("Submitted. A conflict check is under way; the channel team reviews it within the decision time.")
    return _("Submitted. The channel team decides within the decision time shown below.")


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request, pk):
    partner, staff = _partner_or_staff_redirect(request, pk)
    if staff:
        return staff
    deal = _deal(request, pk)
    if deal.status != DealStatus.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("deal_detail", deal.pk)
    initial = {name: getattr(deal, name) for name in services.DRAFT_FIELDS}
    initial["products"] = list(deal.products.values_list("pk", flat=True))
    form = DealForm(request.POST or None, initial=initial)
    return _deal_form(request, form, partner=partner, deal=deal)


# --- one deal ---------------------------------------------------------------------------------


def _render_detail(request, deal, *, forms_with_errors=None, status=200):
    partner = deal.partner
    settings = program_settings(partner.program)
    now = timezone.now()
    clock = clock_of(deal.decision_clock, Schedule.from_calendar(partner.program.calendar), now)
    context = {
        "deal": deal,
        "clock": clock,
        "products": list(deal.products.all()),
        "timeline": deal_timeline(deal),
        "is_protecting": deal.is_protecting(now),
        "can_extend": (
            deal.is_protecting(now)
            and deal.extension_requested_at is None
            and deal.extensions_used < settings.max_extensions
        ),
        "extension_days": settings.extension_days,
        "answer_form": AnswerForm(),
        "progress_form": ProgressForm(initial={"stage": deal.stage, "amount": deal.amount}),
        "won_form": WonForm(initial={"final_amount": deal.amount, "closed_on": timezone.localdate()}),
        "lost_form": LostForm(),
        "extension_form": ExtensionForm(),
        **(forms_with_errors or {}),
    }
    return render(request, "deals/deal_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def deal_detail(request, pk):
    _partner, staff = _partner_or_staff_redirect(request, pk)
    if staff:
        return staff
    return _render_detail(request, _deal(request, pk))


def _deal_action(request, pk, form_class, form_name, run, success):
    """A POSTed action on one deal: the form, then the service; errors are shown on the deal page (400)."""
    _partner, staff = _partner_or_staff_redirect(request, pk)
    if staff:
        raise PermissionDenied
    deal = _deal(request, pk)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            run(deal, form.cleaned_data if form else {})
        except ServiceError as error:
            if form is None:
                messages.error(request, error.message)
            else:
                _form_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("deal_detail", deal.pk)
    deal = _deal(request, pk)
    return _render_detail(request, deal, forms_with_errors={form_name: form} if form else None, status=400)


@login_required
@require_POST
def deal_submit(request, pk):
    _partner, staff = _partner_or_staff_redirect(request, pk)
    if staff:
        raise PermissionDenied
    try:
        deal = services.deal_submit(actor=request.user, deal=_deal(request, pk))
    except ServiceError as error:
        messages.error(request, error.message)
        return _render_detail(request, _deal(request, pk), status=400)
    messages.success(request, _submitted_message(deal))
    return redirect("deal_detail", deal.pk)


@login_required
@require_POST
def deal_delete(request, pk):
    _partner, staff = _partner_or_staff_redirect(request, pk)
    if staff:
        raise PermissionDenied
    deal = _deal(request, pk)
    try:
        services.deal_delete_draft(actor=request.user, deal=deal)
    except ServiceError as error:
        messages.error(request, error.message)
        return _render_detail(request, _deal(request, pk), status=400)
    messages.success(request, _("The draft for %(company)s is deleted.") % {"company": deal.customer_company})
    return redirect("deal_list")


@login_required
@require_POST
def deal_answer(request, pk):
    return _deal_action(
        request,
        pk,
        AnswerForm,
        "answer_form",
        lambda deal, data: services.deal_answer_info(actor=request.user, deal=deal, answer=data["answer"]),
        _("Your answer is sent; the decision clock runs again."),
    )


@login_required
@require_POST
def deal_progress(request, pk):
    return _deal_action(
        request,
        pk,
        ProgressForm,
        "progress_form",
        lambda deal, data: services.deal_update_progress(
            actor=request.user, deal=deal, stage=data["stage"], amount=data["amount"]
        ),
        _("Stage and amount saved."),
    )


@login_required
@require_POST
def deal_won(request, pk):
    return _deal_action(
        request,
        pk,
        WonForm,
        "won_form",
        lambda deal, data: services.deal_close_won(actor=request.user, deal=deal, **data),
        _("Congratulations: the deal is closed as won."),
    )


@login_required
@require_POST
def deal_lost(request, pk):
    return _deal_action(
        request,
        pk,
        LostForm,
        "lost_form",
        lambda deal, data: services.deal_close_lost(actor=request.user, deal=deal, reason=data["reason"]),
        _("The deal is closed as lost; the customer is free again."),
    )


@login_required
@require_POST
def deal_extension(request, pk):
    return _deal_action(
        request,
        pk,
        ExtensionForm,
        "extension_form",
        lambda deal, data: services.deal_request_extension(actor=request.user, deal=deal, reason=data["reason"]),
        _("Extension requested; your channel account manager decides."),
    )
