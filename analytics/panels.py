"""The panels of the dashboards, in the order of their pages: a saved view keeps those to show.

The program dashboard's (vendor staff) and a partner's dashboard's are listed apart; the key figures
are on both. A panel added to a page is added here, and the page tests ``"<key>" in panels``.
"""

from django.utils.translation import gettext_lazy as _

PROGRAM_PANELS = (
    ("kpis", _("Key figures")),
    ("ranking", _("Ranking")),
    ("countries", _("Won revenue by country")),
    ("tiers", _("Won revenue by tier")),
    ("cohorts", _("Time to the first won deal")),
    ("inactive", _("Inactive partners")),
)
PARTNER_PANELS = (
    ("kpis", _("Key figures")),
    ("revenue", _("Won revenue by month")),
    ("pipeline", _("Open pipeline by stage")),
    ("funnel", _("Lead funnel")),
)
PROGRAM_KEYS = tuple(key for key, _label in PROGRAM_PANELS)
PARTNER_KEYS = tuple(key for key, _label in PARTNER_PANELS)
# Every panel a view may keep, each once, in the order of the save form.
ALL_PANELS = tuple(dict([*PROGRAM_PANELS, *PARTNER_PANELS]).items())
ALL_KEYS = tuple(key for key, _label in ALL_PANELS)


def shown(kept, keys) -> list[str]:
    """The panels of a page (``keys``) that a view keeps; every panel of the page without a view."""
    if kept is None:
        return list(keys)
    return [key for key in keys if key in kept]


def choice_groups() -> dict:
    """The save form's panels: on both dashboards, on the program's only, on a partner's only."""
    return {
        "both": [(key, label) for key, label in ALL_PANELS if key in PROGRAM_KEYS and key in PARTNER_KEYS],
        "program": [(key, label) for key, label in PROGRAM_PANELS if key not in PARTNER_KEYS],
        "partner": [(key, label) for key, label in PARTNER_PANELS if key not in PROGRAM_KEYS],
    }
