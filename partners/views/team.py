"""Partner-side pages: the team, the invitation link and the company profile (with logo and addresses)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.forms import formset_factory
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prm.errors import ServiceError
from prm.idempotency.forms import form_once
from prm.tenancy import get_visible_or_404

from .. import services
from ..invitations import InvitationUnusable, invitation_accept, invitation_create, invitation_for_token
from ..invitations import invitation_resend as invitation_resend_service
from ..invitations import invitation_revoke as invitation_revoke_service
from ..models import (
    AddressKind,
    CompanySize,
    Industry,
    Invitation,
    Membership,
    Partner,
    PartnerAddress,
    PartnerRole,
    Region,
    Specialty,
    SpokenLanguage,
)
from ..selectors import (
    MemberStatus,
    member_status,
    my_partner_or_404,
    require_partner_admin,
    team_invitations,
    team_members,
)

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


# --- forms ------------------------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=PartnerRole.choices, initial=PartnerRole.SALES)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=PartnerRole.choices)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", gettext_lazy("The two passwords do not match."))
        return cleaned


class ProfileForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Company name"), max_length=200)
    website = forms.URLField(label=gettext_lazy("Website"), max_length=200, required=False)
    email_domain = forms.CharField(
        label=gettext_lazy("Company email domain"),
        max_length=253,
        required=False,
        help_text=gettext_lazy("For example example.com"),
    )
    tax_id = forms.CharField(label=gettext_lazy("Tax ID"), max_length=40, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    company_size = forms.ChoiceField(
        label=gettext_lazy("Company size"), choices=[("", "—"), *CompanySize.choices], required=False
    )
    regions = forms.MultipleChoiceField(
        label=gettext_lazy("Regions served"),
        choices=Region.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.MultipleChoiceField(
        label=gettext_lazy("Industries"), choices=Industry.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    specialties = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Specialties"),
        queryset=Specialty.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages spoken"),
        choices=SpokenLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    publish_in_locator = forms.BooleanField(label=gettext_lazy("Publish in the partner locator"), required=False)
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy("PNG, JPEG or WebP, at most 2 MB. It is resized to fit 512 × 512 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )


def _country_choices(extra=()):
    from prm.countries import country_choices

    choices = country_choices()
    known = {code for code, _name in choices}
    return [("", "—"), *choices, *((code, code) for code in sorted(set(extra) - known) if code)]


class AddressForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AddressKind.choices)
    line1 = forms.CharField(label=gettext_lazy("Address"), max_length=200)
    line2 = forms.CharField(label=gettext_lazy("Address (continued)"), max_length=200, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100)
    state = forms.CharField(label=gettext_lazy("State or region"), max_length=100, required=False)
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=20, required=False)
    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=())

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = countries


AddressFormSet = formset_factory(AddressForm, extra=1, can_delete=True, max_num=20, validate_max=True)


# --- helpers ----------------------------------------------------------------------------------


def _render_team(request, partner, membership, *, invite_form=None, status=200):
    now = timezone.now()
    members = list(team_members(request.user, partner))
    for member in members:
        member.status = member_status(member, now)
        member.status_label = MemberStatus.LABELS[member.status]
    invitations = list(team_invitations(request.user, partner))
    for invitation in invitations:
        invitation.is_expired = invitation.expires_at <= now
    return render(
        request,
        "partners/team/team.html",
        {
            "partner": partner,
            "membership": membership,
            "is_admin": membership.role == PartnerRole.ADMIN,
            "members": members,
            "invitations": invitations,
            "invite_form": invite_form or InviteForm(),
            "roles": PartnerRole.choices,
        },
        status=status,
    )


# --- team -------------------------------------------------------------------------------------


@login_required
@require_GET
def team(request):
    partner, membership = my_partner_or_404(request.user)
    return _render_team(request, partner, membership)


@login_required
@require_POST
def team_invite(request):
    partner, membership = my_partner_or_404(request.user)
    require_partner_admin(request, membership)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            with form_once(request, "partners.invite") as once:
                if once.replayed:
                    return once.replay()
                invitation_create(actor=request.user, partner=partner, **form.cleaned_data)
                response = once.done(reverse("team"))
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works for %(days)s days.")
                % {"email": form.cleaned_data["email"], "days": _invitation_days()},
            )
            return response
    return _render_team(request, partner, membership, invite_form=form, status=400)


def _invitation_days():
    from django.conf import settings

    return settings.INVITATION_MAX_AGE_DAYS


def _of_my_partner(request, model, pk):
    """A membership or invitation of the caller's partner team (404 for anyone else's)."""
    my_partner_or_404(request.user)
    return get_visible_or_404(model.objects.select_related("user", "partner"), request.user, pk=pk)


def _team_action(request, action, success_message):
    """Runs a team service; a refused rule is shown on the team page (400), a success redirects."""
    partner, membership = my_partner_or_404(request.user)
    try:
        action()
    except ServiceError as error:
        messages.error(request, error.message)
        return _render_team(request, partner, membership, status=400)
    messages.success(request, success_message)
    return redirect("team")


@login_required
@require_POST
def team_member_role(request, pk):
    member = _of_my_partner(request, Membership, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        partner, membership = my_partner_or_404(request.user)
        messages.error(request, _("Choose a valid role."))
        return _render_team(request, partner, membership, status=400)
    role = form.cleaned_data["role"]
    return _team_action(
        request,
        lambda: services.membership_change_role(actor=request.user, membership=member, role=role),
        _("%(name)s is now: %(role)s.")
        % {"name": member.user.get_full_name() or member.user.email, "role": PartnerRole(role).label},
    )


@login_required
@require_POST
def team_member_deactivate(request, pk):
    member = _of_my_partner(request, Membership, pk)
    return _team_action(
        request,
        lambda: services.team_member_deactivate(actor=request.user, membership=member),
        _("%(name)s is deactivated: their sessions and API tokens no longer work.")
        % {"name": member.user.get_full_name() or member.user.email},
    )


@login_required
@require_POST
def team_invitation_resend(request, pk):
    invitation = _of_my_partner(request, Invitation, pk)
    return _team_action(
        request,
        lambda: invitation_resend_service(actor=request.user, invitation=invitation),
        _("A new invitation was sent to %(email)s; the previous link no longer works.")
        % {"email": invitation.user.email},
    )


@login_required
@require_POST
def team_invitation_revoke(request, pk):
    invitation = _of_my_partner(request, Invitation, pk)
    return _team_action(
        request,
        lambda: invitation_revoke_service(actor=request.user, invitation=invitation),
        _("The invitation to %(email)s is withdrawn.") % {"email": invitation.user.email},
    )


# --- invitation link --------------------------------------------------------------------------


def _unusable(request, error: InvitationUnusable):
    return render(
        request,
        "partners/team/invitation_invalid.html",
        {"message": error.message},
        status=410 if error.gone else 404,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_page(request, token):
    """Public: the invitee chooses a password, is signed in and lands on the partner home."""
    try:
        invitation = invitation_for_token(token)
    except InvitationUnusable as error:
        return _unusable(request, error)
    form = SetPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = invitation_accept(token=token, password=form.cleaned_data["password1"])
            except InvitationUnusable as error:
                return _unusable(request, error)
            except ServiceError as error:
                for message in getattr(error, "messages", [error.message]):
                    form.add_error("password1", message)
            else:
                login(request, user, backend=LOGIN_BACKEND)
                messages.success(request, _("Welcome! Your password is set and you are signed in."))
                return redirect("home")
    return render(
        request,
        "partners/team/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=status,
    )


# --- company profile --------------------------------------------------------------------------


def _profile_initial(partner):
    return {
        "name": partner.name,
        "website": partner.website,
        "email_domain": partner.email_domain,
        "tax_id": partner.tax_id,
        "description": partner.description,
        "company_size": partner.company_size,
        "regions": partner.regions,
        "industries": partner.industries,
        "specialties": list(partner.specialties.all()),
        "languages": partner.languages,
        "publish_in_locator": partner.publish_in_locator,
    }


def _address_rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or (not data.get("id") and not form.has_changed()):
            continue
        if data.get("DELETE"):
            if data.get("id"):
                rows.append({"id": data["id"], "delete": True})
            continue
        rows.append({"id": data.get("id"), **{field: data.get(field, "") for field in services.ADDRESS_FIELDS}})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def company_profile(request):
    partner, membership = my_partner_or_404(request.user)
    partner = Partner.objects.visible_to(request.user).select_related("tier").get(pk=partner.pk)
    is_admin = membership.role == PartnerRole.ADMIN
    addresses = list(PartnerAddress.objects.visible_to(request.user).filter(partner=partner))
    countries = _country_choices(address.country for address in addresses)
    country_names = dict(countries)
    for address in addresses:
        address.country_name = country_names.get(address.country, address.country)
    status = 200
    if request.method == "POST":
        require_partner_admin(request, membership)
        form = ProfileForm(request.POST, request.FILES)
        formset = AddressFormSet(request.POST, prefix="addresses", form_kwargs={"countries": countries})
        status = 400
        if form.is_valid() and formset.is_valid():
            data = {field: form.cleaned_data[field] for field in services.PROFILE_FIELDS}
            try:
                services.partner_profile_update(
                    actor=request.user,
                    partner=partner,
                    data=data,
                    addresses=_address_rows(formset),
                    logo=form.cleaned_data.get("logo") or None,
                )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The company profile is saved."))
                return redirect("company_profile")
    else:
        form = ProfileForm(initial=_profile_initial(partner))
        formset = AddressFormSet(
            prefix="addresses",
            initial=[
                {"id": address.pk, **{field: getattr(address, field) for field in services.ADDRESS_FIELDS}}
                for address in addresses
            ],
            form_kwargs={"countries": countries},
        )
    return render(
        request,
        "partners/team/company.html",
        {
            "partner": partner,
            "is_admin": is_admin,
            "form": form,
            "formset": formset,
            "addresses": addresses,
            "specialties": list(partner.specialties.all()),
            "display": {
                field: [str(choices(value).label) for value in getattr(partner, field) if value in choices.values]
                for field, choices in (("regions", Region), ("industries", Industry), ("languages", SpokenLanguage))
            },
        },
        status=status,
    )


@login_required
@require_GET
def partner_logo(request, pk):
    """The logo of a partner the user may see (stored outside the web root)."""
    partner = get_visible_or_404(Partner.objects.all(), request.user, pk=pk)
    if not partner.logo:
        raise Http404
    try:
        handle = partner.logo.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@login_required
@require_POST
def team_dashboard_sharing(request):
    """A partner admin shares the company's dashboard with the sales and marketing users, or stops."""
    partner, membership = my_partner_or_404(request.user)
    require_partner_admin(request, membership)
    shared = request.POST.get("shared") == "1"
    services.partner_share_dashboard(actor=request.user, partner=partner, shared=shared)
    if shared:
        messages.success(request, _("Your sales and marketing users now see the company's dashboard."))
    else:
        messages.success(request, _("Only partner admins and executives now see the company's dashboard."))
    target = request.POST.get("next") or ""
    return redirect(target if target in ("dashboard", "team") else "team")
