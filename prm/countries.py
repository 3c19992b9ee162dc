"""Countries: ISO 3166-1 alpha-2 codes from a compact list with translated names (the Americas,
Europe and the main markets of the other regions), so that a form offers names in the reader's
language and the stored code is always a known one. Applications, partners' addresses, deals, house
accounts and leads all use this list."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy as _

COUNTRIES = {
    # The Americas
    "AG": _("Antigua and Barbuda"),
    "AR": _("Argentina"),
    "BS": _("Bahamas"),
    "BB": _("Barbados"),
    "BZ": _("Belize"),
    "BO": _("Bolivia"),
    "BR": _("Brazil"),
    "CA": _("Canada"),
    "CL": _("Chile"),
    "CO": _("Colombia"),
    "CR": _("Costa Rica"),
    "CU": _("Cuba"),
    "DM": _("Dominica"),
    "DO": _("Dominican Republic"),
    "EC": _("Ecuador"),
    "SV": _("El Salvador"),
    "GD": _("Grenada"),
    "GT": _("Guatemala"),
    "GY": _("Guyana"),
    "HT": _("Haiti"),
    "HN": _("Honduras"),
    "JM": _("Jamaica"),
    "MX": _("Mexico"),
    "NI": _("Nicaragua"),
    "PA": _("Panama"),
    "PY": _("Paraguay"),
    "PE": _("Peru"),
    "PR": _("Puerto Rico"),
    "KN": _("Saint Kitts and Nevis"),
    "LC": _("Saint Lucia"),
    "VC": _("Saint Vincent and the Grenadines"),
    "SR": _("Suriname"),
    "TT": _("Trinidad and Tobago"),
    "US": _("United States"),
    "UY": _("Uruguay"),
    "VE": _("Venezuela"),
    # Europe
    "AL": _("Albania"),
    "AD": _("Andorra"),
    "AT": _("Austria"),
    "BY": _("Belarus"),
    "BE": _("Belgium"),
    "BA": _("Bosnia and Herzegovina"),
    "BG": _("Bulgaria"),
    "HR": _("Croatia"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "FI": _("Finland"),
    "FR": _("France"),
    "DE": _("Germany"),
    "GR": _("Greece"),
    "HU": _("Hungary"),
    "IS": _("Iceland"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "XK": _("Kosovo"),
    "LV": _("Latvia"),
    "LI": _("Liechtenstein"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "MT": _("Malta"),
    "MD": _("Moldova"),
    "MC": _("Monaco"),
    "ME": _("Montenegro"),
    "NL": _("Netherlands"),
    "MK": _("North Macedonia"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SM": _("San Marino"),
    "RS": _("Serbia"),
    "SK": _("Slovakia"),
    "SI": _("Slovenia"),
    "ES": _("Spain"),
    "SE": _("Sweden"),
    "CH": _("Switzerland"),
    "TR": _("Türkiye"),
    "UA": _("Ukraine"),
    "GB": _("United Kingdom"),
    # Main markets of the other regions
    "AO": _("Angola"),
    "AU": _("Australia"),
    "CN": _("China"),
    "EG": _("Egypt"),
    "IN": _("India"),
    "ID": _("Indonesia"),
    "IL": _("Israel"),
    "JP": _("Japan"),
    "KE": _("Kenya"),
    "MA": _("Morocco"),
    "MZ": _("Mozambique"),
    "NZ": _("New Zealand"),
    "NG": _("Nigeria"),
    "SA": _("Saudi Arabia"),
    "SN": _("Senegal"),
    "SG": _("Singapore"),
    "ZA": _("South Africa"),
    "KR": _("South Korea"),
    "TN": _("Tunisia"),
    "AE": _("United Arab Emirates"),
}


def _sort_key(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs, sorted by the name in the active language."""
    return sorted(((code, str(name)) for code, name in COUNTRIES.items()), key=lambda pair: _sort_key(pair[1]))


def country_name(code: str) -> str:
    name = COUNTRIES.get((code or "").upper())
    return str(name) if name is not None else code
