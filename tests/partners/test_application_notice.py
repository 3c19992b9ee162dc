"""A new application reaches channel acquisition: an in-app notification and an e-mail each, in their
language, with the link to the application's admin page; and the review clock shows in their queue
(the application changelist's badge and filter)."""

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partners.models import ApplicationStatus
from partners.recruitment import REVIEW_KIND
from partners.roles import StaffRole
from prm.notifications.models import Notification
from prm.notifications.services import notification_deliver
from prm.sla.models import Deadline, DeadlineState
from tests.factories import ApplicationFactory, staff_user
from tests.partners.test_recruitment_admin import submit

CHANGELIST = reverse("admin:partners_application_changelist")


def test_channel_acquisition_hears_of_a_new_application_in_app_and_by_email(
    program, django_capture_on_commit_callbacks
):
    alice = staff_user(StaffRole.ACQUISITION, email="alice@vendor.example", language="fr")
    andre = staff_user(StaffRole.ACQUISITION, email="andre@vendor.example")
    staff_user(StaffRole.ACQUISITION, email="gone@vendor.example", is_active=False)
    staff_user(StaffRole.MARKETING, email="marc@vendor.example")
    staff_user(StaffRole.CHANNEL_MANAGER, email="marta@vendor.example")
    staff_user(StaffRole.CAM, email="carlos@vendor.example")

    with django_capture_on_commit_callbacks(execute=True):
        application = submit(program)

    notices = Notification.objects.filter(kind="application.new").order_by("recipient__email")
    assert [notice.recipient for notice in notices] == [alice, andre]
    link = reverse("admin:partners_application_change", args=[application.pk])
    assert {notice.url for notice in notices} == {link}
    assert all(notice.read_at is None for notice in notices)  # in the bell until read

    for notice in notices:
        notification_deliver(notification_id=notice.pk)
    sent = {message.to[0]: message for message in mail.outbox if message.to[0].endswith("@vendor.example")}
    assert set(sent) == {"alice@vendor.example", "andre@vendor.example"}
    # Each in the recipient's language: the country is named in French for Alice, in English for André.
    assert "Nimbus Tecnologia Ltda" in sent["alice@vendor.example"].subject
    assert "Brésil" in sent["alice@vendor.example"].body
    assert "Brazil" in sent["andre@vendor.example"].body
    assert link in sent["andre@vendor.example"].body


def test_one_notice_per_reviewer_and_application(program):
    staff_user(StaffRole.ACQUISITION)
    first = submit(program)
    submit(program, company_name="Other Company", email_domain="other.example")
    assert Notification.objects.filter(kind="application.new").count() == 2
    assert Notification.objects.filter(kind="application.new", dedupe_key__contains=f":{first.pk}:").count() == 1


def test_the_new_application_kind_is_offered_on_the_preferences_page():
    from prm.notifications.kinds import all_kinds

    assert "application.new" in {kind.key for kind in all_kinds()}


# --- The review clock in the queue --------------------------------------------------------------


def _clock(application):
    return Deadline.objects.get(kind=REVIEW_KIND, object_id=application.pk)


def test_the_queue_shows_each_applications_review_clock_as_a_badge(client, program, reviewer):
    now = timezone.now()
    on_time = submit(program, company_name="On Time Co", email_domain="a.example")
    due_soon = submit(program, company_name="Due Soon Co", email_domain="b.example")
    Deadline.objects.filter(pk=_clock(due_soon).pk).update(
        reminders_sent=1, next_fire_at=now - datetime.timedelta(minutes=5), due_at=now + datetime.timedelta(hours=2)
    )
    late = submit(program, company_name="Late Co", email_domain="c.example")
    Deadline.objects.filter(pk=_clock(late).pk).update(due_at=now - datetime.timedelta(minutes=1))
    breached = submit(program, company_name="Breached Co", email_domain="d.example")
    Deadline.objects.filter(pk=_clock(breached).pk).update(state=DeadlineState.BREACHED)
    decided = submit(program, company_name="Decided Co", email_domain="e.example")
    Deadline.objects.filter(pk=_clock(decided).pk).update(state=DeadlineState.MET)
    ApplicationFactory(program=program, company_name="No Clock Co", status=ApplicationStatus.REJECTED)

    def names(state):
        response = client.get(CHANGELIST, {"review": state})
        assert response.status_code == 200
        return {row.company_name for row in response.context["cl"].result_list}

    assert names("on_time") == {"On Time Co"}
    assert names("due_soon") == {"Due Soon Co"}
    assert names("breached") == {"Late Co", "Breached Co"}
    assert names("met") == {"Decided Co"}
    assert names("none") == {"No Clock Co"}
    assert names("nonsense") == set()

    body = client.get(CHANGELIST).content.decode()
    for state in ("on_time", "due_soon", "breached", "met"):
        assert f'class="sla-badge sla-{state}"' in body, state
    assert "css/admin-sla.css" in body  # the badges' style
    assert "due " in body
    assert on_time.company_name in body
