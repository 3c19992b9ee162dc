"""One definition of a clock's state: the pages (Python, ``clock_state``) and the admin's badges and
filters (SQL, ``clock_state_sql``) read the same state, whatever the clock's reminder points."""

import datetime
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deals import services as deal_services
from deals.models import Deal
from leads import services as lead_services
from leads.admin import clock_badge as lead_clock_badge
from leads.models import ACCEPTANCE_KIND
from partners.models import Partner
from prm.sla.calendar import Schedule, business_seconds_between
from prm.sla.display import NO_CLOCK, ClockState, clock_state, with_clock_state
from prm.sla.models import Deadline, DeadlineState
from prm.sla.services import deadline_plan, deadlines_sweep
from tests.leads.conftest import LEAD_DEFAULTS

MINUTE = datetime.timedelta(minutes=1)


def test_python_and_sql_read_every_clock_alike(db, paris_calendar):
    """Every combination of state, reminder points, reminders sent and times, at one moment."""
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(Partner)
    times = (now - 5 * MINUTE, now + 5 * MINUTE)
    object_ids = itertools.count(1)
    deadlines = []
    for state, fractions, due_at, next_fire_at in itertools.product(
        DeadlineState.values, ([], [0.3], [0.5, 0.8], [0.2, 0.4, 0.9]), times, (*times, None)
    ):
        for sent in range(len(fractions) + 1):
            deadlines.append(
                Deadline(
                    kind="sla.display",
                    content_type=content_type,
                    object_id=next(object_ids),
                    calendar=paris_calendar,
                    duration_seconds=3600,
                    started_at=now - 60 * MINUTE,
                    resumed_at=now - 60 * MINUTE,
                    due_at=due_at,
                    reminder_fractions=fractions,
                    reminders_sent=sent,
                    next_fire_at=next_fire_at,
                    state=state,
                )
            )
    Deadline.objects.bulk_create(deadlines)
    for cancelled in (NO_CLOCK, ClockState.MET):
        rows = list(with_clock_state(Deadline.objects.all(), now, cancelled=cancelled))
        assert len(rows) == 300  # 5 states, 10 reminder plans, 2 due times, 3 next times
        for row in rows:
            python = clock_state(row.state, row.due_at, row.soon_from, now, cancelled=cancelled)
            assert row.clock_state == python, (row.state, row.reminder_fractions, row.reminders_sent, row.next_fire_at)
    shown = {row.clock_state for row in rows}
    assert shown == {ClockState.ON_TIME, ClockState.DUE_SOON, ClockState.BREACHED, ClockState.PAUSED, ClockState.MET}


# --- The page, the badge and the filter ----------------------------------------------------------------


def _replan(deadline: Deadline, *, used: float, reminders) -> None:
    """Restart ``deadline`` three weeks ago with a duration of which ``used`` is gone by now."""
    now = timezone.now()
    schedule = Schedule.from_calendar(deadline.calendar)
    start = now - datetime.timedelta(days=21)
    deadline.duration_seconds = int(business_seconds_between(schedule, start, now) / used)
    deadline.started_at = deadline.resumed_at = start
    deadline.consumed_seconds = deadline.reminders_sent = 0
    deadline.reminder_fractions = list(reminders)
    deadline_plan(deadline, schedule)
    deadline.save()


# company -> (share of the time used, reminder points, swept, the state every view shows)
CLOCKS = {
    "Early Co": (0.1, [0.3], True, ClockState.ON_TIME),
    "Reminded Co": (0.5, [0.3], True, ClockState.DUE_SOON),  # its only reminder was sent
    "Unswept Co": (0.5, [0.3], False, ClockState.DUE_SOON),  # the reminder's time has come
    "Late Co": (1.2, [0.3], False, ClockState.BREACHED),
    "Default Co": (0.6, [0.5, 0.8], True, ClockState.ON_TIME),
}


def _set_clocks(clock_of: dict) -> None:
    for company, (used, reminders, swept, _state) in CLOCKS.items():
        if swept:
            _replan(clock_of[company], used=used, reminders=reminders)
    deadlines_sweep(now=timezone.now())
    for company, (used, reminders, swept, _state) in CLOCKS.items():
        if not swept:
            _replan(clock_of[company], used=used, reminders=reminders)


@pytest.fixture
def staff_client(world, mfa):
    client = Client()
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    return client


def _filtered(client, url: str, name: str) -> dict:
    """The rows each state of the admin filter lists, by name."""
    shown = {}
    for state in (ClockState.ON_TIME, ClockState.DUE_SOON, ClockState.BREACHED, ClockState.PAUSED, ClockState.MET):
        for row in client.get(url, {"sla": state}).context["cl"].result_list:
            assert getattr(row, name) not in shown
            shown[getattr(row, name)] = state
    return shown


def test_a_deal_shows_one_state_on_the_page_the_badge_and_the_filter(client, staff_client, world):
    partner, user = world["partner_a"], world["partner_a_admin"]
    deals = {}
    for company in CLOCKS:
        draft = deal_services.deal_create_draft(
            actor=user,
            partner=partner,
            customer_company=company,
            customer_email=f"buyer@{company.split()[0].lower()}.example",
            customer_country="BR",
            amount="1000.00",
            currency="BRL",
            expected_close_date=datetime.date(2030, 1, 31),
        )
        deals[company] = deal_services.deal_submit(actor=user, deal=draft)
    _set_clocks(
        {
            company: Deadline.objects.get(object_id=deal.pk, kind=deal_services.DECISION_KIND)
            for company, deal in deals.items()
        }
    )
    expected = {company: state for company, (*_plan, state) in CLOCKS.items()}

    client.force_login(user)
    page = client.get(reverse("deal_list")).context["rows"]
    assert {deal.customer_company: clock.state for deal, clock in page} == expected
    for company, deal in deals.items():
        assert client.get(reverse("deal_detail", args=[deal.pk])).context["clock"].state == expected[company]

    changelist = reverse("admin:deals_deal_changelist")
    response = staff_client.get(changelist)
    model_admin = response.context["cl"].model_admin
    badges = {}
    for row in response.context["cl"].result_list:
        badges[row.customer_company] = row.sla_state
        assert f'class="sla-badge sla-{row.sla_state}"' in model_admin.sla_badge(row)
    assert badges == expected
    assert _filtered(staff_client, changelist, "customer_company") == expected


def test_a_lead_shows_one_state_on_the_page_the_badge_and_the_filter(client, staff_client, world):
    manager, partner = world["channel_manager"], world["partner_a"]
    leads = {}
    for number, company in enumerate(CLOCKS):
        lead = lead_services.lead_create(
            actor=manager, **{**LEAD_DEFAULTS, "company": company, "email": f"contact{number}@client.example"}
        )
        leads[company] = lead_services.lead_assign_manually(actor=manager, lead=lead, partner=partner)
    _set_clocks(
        {company: Deadline.objects.get(object_id=lead.pk, kind=ACCEPTANCE_KIND) for company, lead in leads.items()}
    )
    expected = {company: state for company, (*_plan, state) in CLOCKS.items()}

    client.force_login(world["partner_a_sales"])
    rows = client.get(reverse("lead_inbox")).context["rows"]
    assert {row["lead"].company: row["clock"].state for row in rows} == expected
    for company, lead in leads.items():
        assert client.get(reverse("lead_detail", args=[lead.pk])).context["clock"].state == expected[company]

    changelist = reverse("admin:leads_lead_changelist")
    badges = {}
    for row in staff_client.get(changelist).context["cl"].result_list:
        badges[row.company] = row.clock.state
        assert f'class="sla-badge sla-{row.clock.state}"' in lead_clock_badge(row)
    assert badges == expected
    assert _filtered(staff_client, changelist, "company") == expected
    assert Deal.objects.count() == 0
