"""Public pages: the program's landing page and the application form (no login, no JavaScript)."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from prm.audit.services import client_ip
from prm.countries import country_choices
from prm.errors import ServiceError
from prm.idempotency.forms import form_once
from prm.identity import normalize_tax_id

from ..models import CompanySize, Industry, ProgramPage, Region, Specialty, Tier
from ..onboarding import current_agreement
from ..recruitment.selectors import icp_questions
from ..recruitment.services import application_submit
from ..recruitment.throttling import ApplicationRateThrottle
from ..recruitment.validators import validate_email_domain, validate_phone
from ..tiers import public_requirements

# A field people never see; automated submissions fill it and are refused.
HONEYPOT_FIELD = "homepage"


def public_program_page():
    """The page of the program shown to visitors (the first program that has one)."""
    return ProgramPage.objects.select_related("program").order_by("program_id").first()


class ApplicationForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    email_domain = forms.CharField(
        label=_("Company email domain"),
        max_length=253,
        help_text=_("The domain of your company's email addresses, for example example.com."),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=lambda: [("", "—"), *country_choices()],
        error_messages={"invalid_choice": _("Choose your country from the list.")},
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions served"), choices=Region.choices, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.MultipleChoiceField(
        label=_("Industries"), choices=Industry.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties"),
        queryset=Specialty.objects.filter(is_active=True).order_by("name_en"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    company_size = forms.ChoiceField(label=_("Company size"), choices=[("", "—"), *CompanySize.choices])
    tax_id = forms.CharField(
        label=_("Tax ID"),
        max_length=40,
        required=False,
        help_text=_("Optional. In any format, for example 12.345.678/0001-90."),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(label=_("Your email"), max_length=254)
    contact_phone = forms.CharField(label=_("Your phone"), max_length=40)
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.terms = current_agreement(program)
        self.questions = list(icp_questions(program))
        for question in self.questions:
            self.fields[self.question_field(question)] = forms.CharField(
                label=question.tr("text"),
                required=question.required,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": _("Answer this question.")},
            )
        if self.terms is not None:
            self.fields["accept_terms"] = forms.BooleanField(
                label=_("I have read and accept the program terms."),
                error_messages={"required": _("Accept the program terms to apply.")},
            )
        if not Specialty.objects.filter(is_active=True).exists():
            del self.fields["specialties"]
        self.fields["company_name"].error_messages["required"] = _("Enter the name of your company.")

    @staticmethod
    def question_field(question) -> str:
        return f"icp_{question.pk}"

    @property
    def question_fields(self):
        return [self[self.question_field(question)] for question in self.questions]

    def honeypot_filled(self) -> bool:
        value = self.data.get(HONEYPOT_FIELD) if hasattr(self.data, "get") else None
        return bool(value and str(value).strip())

    def clean_email_domain(self):
        return validate_email_domain(self.cleaned_data["email_domain"])

    def clean_contact_phone(self):
        return validate_phone(self.cleaned_data["contact_phone"])

    def clean_tax_id(self):
        value = self.cleaned_data["tax_id"].strip()
        if value and not normalize_tax_id(value):
            raise ValidationError(_("A tax ID needs letters or digits."))
        return value

    def submission(self) -> dict:
        """The keyword arguments of application_submit."""
        data = self.cleaned_data
        return {
            "program": self.program,
            "company_name": data["company_name"],
            "website": data["website"],
            "email_domain": data["email_domain"],
            "country": data["country"],
            "regions": data["regions"],
            "industries": data["industries"],
            "specialties": list(data.get("specialties") or []),
            "company_size": data["company_size"],
            "tax_id": data["tax_id"],
            "contact_name": data["contact_name"],
            "contact_email": data["contact_email"],
            "contact_phone": data["contact_phone"],
            "icp_answers": {str(q.pk): data.get(self.question_field(q), "") for q in self.questions},
            "accept_terms": bool(data.get("accept_terms")),
        }

    def add_service_error(self, error: ServiceError) -> None:
        self.add_error(error.field if error.field in self.fields else None, str(error.message))


def landing(request):
    """The program's public page: mission, value proposition, tiers, welcome and the call to apply."""
    page = public_program_page()
    tiers = list(Tier.objects.filter(program_id=page.program_id).order_by("rank")) if page is not None else []
    if tiers:
        requirements = public_requirements(tiers, page.program.currency)
        for tier in tiers:
            tier.requirement_texts = requirements[tier.pk]
    return render(request, "partners/public/landing.html", {"page": page, "tiers": tiers})


SUBMISSION_REFUSED = _("Your application could not be submitted. Please try again later.")
RATE_LIMITED = _("Too many applications were sent from your network. Please try again in an hour.")


@require_http_methods(["GET", "POST"])
def apply(request):
    page = public_program_page()
    if page is None:
        return render(request, "partners/public/apply.html", {"form": None}, status=404)
    program = page.program
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, program=program)
        allowed = ApplicationRateThrottle().allow_request(request, None)
        valid = form.is_valid()
        if not allowed:
            form.add_error(None, RATE_LIMITED)
            status = 429
        elif form.honeypot_filled():
            form.add_error(None, SUBMISSION_REFUSED)
            status = 400
        elif valid:
            try:
                with form_once(request, "partners.apply") as once:  # anonymous: the form's token alone
                    if once.replayed:
                        return once.replay()
                    application_submit(**form.submission(), language=get_language(), ip=client_ip(request))
                    return once.done(reverse("apply_thanks"))
            except ServiceError as error:
                form.add_service_error(error)
        if status == 200:
            status = 400
    else:
        form = ApplicationForm(program=program)
    return render(request, "partners/public/apply.html", {"form": form, "page": page}, status=status)


def apply_thanks(request):
    return render(request, "partners/public/thanks.html", {"page": public_program_page()})
