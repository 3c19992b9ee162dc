"""Every audit action code recorded anywhere has a label (prm.audit.labels), shown instead of the code."""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from prm.audit.labels import action_label, action_labels, register_actions

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("deals", "leads", "partners", "catalogue", "prm", "analytics")
# The functions that record an event from their ``action`` keyword: the writer and its wrappers.
WRITERS = {"audit_record", "_audit", "_close"}


def _dynamic_codes() -> dict[str, set[str]]:
    """The codes built at run time, by the source text of the expression that builds them."""
    from leads.services.lifecycle import ADVANCE_STATUSES
    from partners.services.config import AUDIT_NOUNS

    nouns = set(AUDIT_NOUNS.values())
    return {
        "f'lead.{to_status}'": {f"lead.{status}" for status in ADVANCE_STATUSES},
        "f\"{noun}.{('created' if created else 'changed')}\"": {
            f"{n}.{v}" for n in nouns for v in ("created", "changed")
        },
        "f'{noun}.deleted'": {f"{n}.deleted" for n in nouns},
    }


def _assigned(function: ast.AST, name: str) -> list[ast.expr]:
    return [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


def _parameters(function) -> set[str]:
    args = function.args
    return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


def recorded_codes() -> tuple[set[str], list[str]]:
    """Every action code passed to the audit writers in the code base, and the expressions not understood."""
    dynamic = _dynamic_codes()
    codes: set[str] = set()
    unknown: list[str] = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call):
                        continue
                    name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                    if name not in WRITERS:
                        continue
                    values = [kw.value for kw in call.keywords if kw.arg == "action"]
                    while values:
                        value = values.pop()
                        if isinstance(value, ast.Constant) and isinstance(value.value, str):
                            codes.add(value.value)
                        elif isinstance(value, ast.IfExp):
                            values += [value.body, value.orelse]
                        elif isinstance(value, ast.Name) and _assigned(function, value.id):
                            values += _assigned(function, value.id)
                        elif isinstance(value, ast.Name) and value.id in _parameters(function):
                            continue  # a wrapper handing its own ``action`` on: its callers are scanned
                        elif ast.unparse(value) in dynamic:
                            codes |= dynamic[ast.unparse(value)]
                        else:
                            unknown.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(value)}")
    return codes, unknown


def test_every_recorded_action_has_a_label():
    codes, unknown = recorded_codes()
    assert not unknown, f"Action codes built in a way the scan does not read (add them to _dynamic_codes): {unknown}"
    assert len(codes) >= 120, len(codes)  # the scan still finds the writers' calls
    missing = sorted(codes - set(action_labels()))
    assert not missing, f"Audit action codes with no label (register them in the app's audit_labels.py): {missing}"


def test_the_scan_reads_every_form_of_action():
    codes, _unknown = recorded_codes()
    # a literal, both sides of a conditional, a variable assigned a conditional, the f-strings
    assert {"deal.submitted", "lead.reassigned", "lead.offered", "deal.extension_approved"} <= codes
    assert {"deal.extension_rejected", "lead.contacted", "lead.qualified", "specialty.deleted"} <= codes
    assert {"sla.met", "sla.cancelled", "access.denied", "logout"} <= codes


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Submitted for approval"), ("pt-br", "Enviado para aprovação"), ("fr", "Soumis pour approbation")],
)
def test_the_label_is_translated_and_the_code_kept(language, label):
    from prm.audit.models import AuditEvent

    event = AuditEvent(action="deal.submitted")
    with translation.override(language):
        shown = event.action_label
    assert event.action == "deal.submitted"
    assert shown == label


def test_an_unknown_code_reads_as_itself_and_a_second_label_is_refused():
    assert action_label("nothing.happened") == "nothing.happened"
    with pytest.raises(ImproperlyConfigured):
        register_actions({"deal.submitted": "Sent"})


# --- Where people read the trail --------------------------------------------------------------------


@pytest.fixture
def submitted(world):
    import datetime
    from decimal import Decimal

    from deals import services as deal_services

    deal = deal_services.deal_create_draft(
        actor=world["partner_a_admin"],
        partner=world["partner_a"],
        customer_company="Label Customer",
        customer_country="BR",
        amount=Decimal("1000.00"),
        currency="BRL",
        expected_close_date=datetime.date(2030, 1, 31),
    )
    return deal_services.deal_submit(actor=world["partner_a_admin"], deal=deal)


@pytest.fixture
def manager(client, world, mfa):
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    return client


def test_the_staff_partner_trail_shows_labels(manager, world, submitted):
    from django.urls import reverse

    html = manager.get(reverse("staff_partner_detail", args=[world["partner_a"].pk])).content.decode()
    assert "Submitted for approval" in html
    assert "Registration created" in html
    assert "deal.submitted" not in html


def test_the_admin_trail_of_an_object_shows_labels_with_the_code_as_tooltip(manager, submitted):
    from django.urls import reverse

    html = manager.get(reverse("admin:deals_deal_change", args=[submitted.pk])).content.decode()
    assert '<td title="deal.submitted">Submitted for approval</td>' in html
    assert "<code>deal.submitted</code>" not in html


def test_the_admin_audit_list_shows_labels_and_filters_by_action(manager, submitted):
    from django.urls import reverse

    url = reverse("admin:audit_auditevent_changelist")
    html = manager.get(url).content.decode()
    assert '<span title="deal.submitted">Submitted for approval</span>' in html
    assert "Submitted for approval (deal.submitted)" in html  # the filter
    response = manager.get(url, {"action__exact": "deal.created"})
    events = list(response.context["cl"].result_list)
    assert events and {event.action for event in events} == {"deal.created"}


@pytest.mark.parametrize(
    "language, action, value, expected",
    [
        ("fr", "deal.submitted", "submitted", "soumis"),
        ("pt-br", "lead.offered", "pool", None),
        ("en", "lead.import_done", "done", None),
        ("en", "sla.met", "met", None),
        ("en", "partner.tier_changed", "Gold", "Gold"),
        ("en", "partner.cam_assigned", "cam@vendor.example", "cam@vendor.example"),
        ("en", "deal.submitted", "", ""),
    ],
)
def test_the_states_of_an_event_read_as_labels(language, action, value, expected):
    from deals.models import DealStatus
    from leads.models import LeadImportState, LeadStatus
    from prm.audit.models import AuditEvent
    from prm.sla.models import DeadlineState

    known = {
        ("lead.offered", "pool"): LeadStatus.POOL.label,
        ("lead.import_done", "done"): dict(LeadImportState.choices).get("done"),
        ("sla.met", "met"): DeadlineState.MET.label,
        ("deal.submitted", "submitted"): DealStatus.SUBMITTED.label,
    }
    event = AuditEvent(action=action, from_state=value, to_state=value)
    with translation.override(language):
        want = expected if expected is not None else str(known[(action, value)])
        assert event.from_state_label == want
        assert event.to_state_label == want
        if (action, value) in known and language != "en":
            assert want != value  # a label, not the code
