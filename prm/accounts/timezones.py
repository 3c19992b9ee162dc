"""The time zones a user may choose: the IANA names the server knows (``zoneinfo``). Blank: the
program's zone (``settings.TIME_ZONE``)."""

from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names() -> tuple[str, ...]:
    # "localtime" and the like are not places; the IANA names with a region are, plus UTC.
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


def validate_time_zone(value: str) -> None:
    if value and value not in time_zone_names():
        raise ValidationError(_("Choose one of the offered time zones."), code="invalid_choice")
