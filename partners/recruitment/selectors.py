"""Reads of recruitment: questions, answers, the criteria checklist, the review clock, CAMs."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from prm.sla.display import with_clock
from prm.sla.models import Deadline
from prm.tenancy import cam_grants

from ..models import Application, ApplicationStatus, CamTerritory, CriteriaItem, IcpQuestion
from ..roles import StaffRole
from ._common import REVIEW_KIND


def applications_to_review(user):
    """The submitted applications, the review clock due first, then the oldest; none for a user who
    does not review applications (``partners.review_application``)."""
    if not user.has_perm("partners.review_application"):
        return Application.objects.none()
    applications = with_clock(
        Application.objects.filter(status=ApplicationStatus.SUBMITTED),
        kind=REVIEW_KIND,
        state_as="sla_state",
        due_as="sla_due_at",
    )
    return applications.order_by(F("sla_due_at").asc(nulls_last=True), "created_at", "id")


def icp_questions(program):
    return IcpQuestion.objects.filter(program=program, is_active=True).order_by("order", "id")


def application_answers(application) -> list[tuple[str, str]]:
    """(question text in the active language, answer) pairs of an application, in the questions' order."""
    answers = application.icp_answers or {}
    questions = IcpQuestion.objects.in_bulk([int(key) for key in answers if str(key).isdigit()])
    rows = []
    for key, answer in answers.items():
        question = questions.get(int(key)) if str(key).isdigit() else None
        if question is None:
            rows.append(((1, 0, 0), str(_("(question removed)")), answer))
        else:
            rows.append(((0, question.order, question.pk), question.tr("text"), answer))
    return [(text, answer) for _order, text, answer in sorted(rows, key=lambda row: row[0])]


def application_checklist(application) -> list[dict]:
    """The program's active minimum criteria with who ticked each one and when."""
    checks = {check.item_id: check for check in application.checks.select_related("checked_by")}
    return [
        {"item": item, "check": checks.get(item.pk)}
        for item in CriteriaItem.objects.filter(program_id=application.program_id, is_active=True).order_by(
            "order", "id"
        )
    ]


def review_deadline(application) -> Deadline | None:
    return Deadline.objects.for_object(application, REVIEW_KIND).order_by("-started_at", "-pk").first()


def staff_with_role(role: str):
    return get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=role).distinct().order_by("pk")


def cam_choices():
    """Channel account managers a reviewer may assign to a new partner."""
    return staff_with_role(StaffRole.CAM).order_by("first_name", "last_name", "email")


def cam_for_country(country: str):
    """Round-robin: among the active CAMs covering the country, the one with the fewest partners (ties: lowest id)."""
    assigned = (
        cam_grants()
        .filter(user=OuterRef("pk"), content_object__is_active=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    covering = CamTerritory.objects.filter(country=(country or "").upper()).values("cam_id")
    return (
        staff_with_role(StaffRole.CAM)
        .filter(pk__in=covering)
        .annotate(load=Coalesce(Subquery(assigned, output_field=IntegerField()), 0))
        .order_by("load", "pk")
        .first()
    )
