from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from prm.errors import ServiceError
from prm.tenancy import get_visible_or_404, membership_of, record_denied_access

from ..models import AgreementAcceptance, AgreementVersion, OnboardingStep, Partner, PartnerRole, StepKind
from ..onboarding import agreement_accept, current_agreement, onboarding_content_read, onboarding_step_tick
from .base import staff_required


def _partner_membership(request):
    """The membership of a user of an active partner; anybody else is refused."""
    membership = membership_of(request.user)
    if membership is None or not membership.partner.is_active:
        record_denied_access(request.user, request.path)
        raise PermissionDenied
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def agreement(request):
    """The current partner agreement; a partner admin accepts it here."""
    membership = _partner_membership(request)
    partner = membership.partner
    is_admin = membership.role == PartnerRole.ADMIN
    status = 200
    if request.method == "POST":
        version_id = request.POST.get("version", "")
        version = None
        if version_id.isdigit():
            version = AgreementVersion.objects.filter(pk=version_id, program_id=partner.program_id).first()
        try:
            if version is None:
                raise ServiceError(_("This is not the current version of the partner agreement."))
            agreement_accept(actor=request.user, partner=partner, version=version)
        except ServiceError as error:
            messages.error(request, error.message)
            status = 403 if not is_admin else 400
        else:
            messages.success(request, _("Thank you. Your partner has accepted the partner agreement."))
            return redirect("home")
    version = current_agreement(partner.program_id)
    acceptance = None
    if version is not None:
        acceptance = (
            AgreementAcceptance.objects.visible_to(request.user)
            .filter(partner=partner, version=version)
            .select_related("user")
            .first()
        )
    return render(
        request,
        "partners/onboarding/agreement.html",
        {"partner": partner, "version": version, "acceptance": acceptance, "is_admin": is_admin},
        status=status,
    )


@login_required
def onboarding_content(request, step_id):
    """A content step of the checklist: opening it completes the step."""
    partner = _partner_membership(request).partner
    step = OnboardingStep.objects.filter(
        pk=step_id, program_id=partner.program_id, kind=StepKind.CONTENT, is_active=True
    ).first()
    if step is None:
        raise Http404
    if onboarding_content_read(actor=request.user, partner=partner, step=step):
        messages.success(request, _("Step done: %(title)s") % {"title": step.tr("title")})
    return render(request, "partners/onboarding/content.html", {"partner": partner, "step": step})


@staff_required
@require_POST
def staff_onboarding_tick(request, pk, step_id):
    """The CAM confirms a manual onboarding step of one of their partners."""
    partner = get_visible_or_404(Partner.objects.select_related("program"), request.user, pk=pk)
    step = OnboardingStep.objects.filter(pk=step_id, program_id=partner.program_id).first()
    if step is None:
        raise Http404
    try:
        onboarding_step_tick(actor=request.user, partner=partner, step=step)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Step confirmed: %(title)s") % {"title": step.tr("title")})
    return redirect("staff_partner_detail", pk=partner.pk)
