"""Demo data: a user per staff role, then each app's demo data. Idempotent.

Every installed app may have a ``demo`` module with a ``seed()`` function; ``seed_demo()`` calls them
in the order of INSTALLED_APPS (the platform's own apps first, then partners, catalogue, deals, leads), in one
transaction, after the staff users exist. An app's seed writes through its services, so the audit
trail, the clocks and the notifications of the demo are real. Large generated data for the
benchmarks lives in ``benchmarks/scale.py``.
"""

from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils.module_loading import module_has_submodule

DEMO_PASSWORD = "demo-portal-2026"
SUFFIXES = ("en", "pt_br", "fr")  # the language suffixes of translated fields

STAFF = [
    ("manager@vendor.example", "Marta", "Manager", "channel_manager"),
    ("cam@vendor.example", "Carlos", "Account", "channel_account_manager"),
    ("acquisition@vendor.example", "Alice", "Acquisition", "channel_acquisition"),
    ("marketing@vendor.example", "Marc", "Marketing", "channel_marketing"),
    ("training@vendor.example", "Tania", "Training", "channel_training"),
    ("executive@vendor.example", "Eva", "Executive", "executive"),
]


def demo_user(email, first, last, *, staff=False, language=""):
    """A demo login (verified e-mail, the demo password), made once."""
    from allauth.account.models import EmailAddress

    from prm.accounts.models import User

    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "is_staff": staff, "is_demo": True, "language": language},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _seed_staff() -> None:
    from django.contrib.auth.models import Group

    from prm.roles import ensure_staff_groups

    ensure_staff_groups()
    for email, first, last, role in STAFF:
        demo_user(email, first, last, staff=True).groups.add(Group.objects.get(name=role))


def staff_user(role: str):
    """The demo user of a staff role (made by seed_demo before the apps' seeds run)."""
    from prm.accounts.models import User

    email = next(email for email, _first, _last, staff_role in STAFF if staff_role == role)
    return User.objects.get(email=email)


@transaction.atomic
def seed_demo() -> int:
    """Seed every app; returns how many demo notifications were written.

    The demo's history (deals decided, leads offered, …) notifies its fictional people as real
    actions would, so the bell shows them; their e-mails are not sent (a first ``make run`` would
    otherwise print dozens of them): they are marked as not wanted before the transaction commits,
    so the delivery tasks find nothing to send. What people do in the portal afterwards is e-mailed
    as usual."""
    from prm.notifications.models import EmailStatus, Notification

    last_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _seed_staff()
    for config in apps.get_app_configs():
        if config.name != __package__ and module_has_submodule(config.module, "demo"):
            import_module(f"{config.name}.demo").seed()
    written = Notification.objects.filter(pk__gt=last_before)
    written.filter(email_status=EmailStatus.PENDING).update(email_status=EmailStatus.SKIPPED)
    return written.count()
