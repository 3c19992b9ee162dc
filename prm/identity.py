"""Company identity: the normalised forms of a company's name, tax ID and e-mail domain, and the one
matcher that finds records that may be the same company.

- ``normalize_company_name`` (accents, punctuation and trailing legal forms dropped),
  ``normalize_tax_id`` (letters and digits only, upper case), ``normalize_email_domain``, and the
  same normalisation in SQL for rows stored before their normalised forms were kept.
- ``Identity.of(...)``: the three normalised keys of a company; a free-mail domain says nothing
  about the company and is dropped.
- ``identity_matches(queryset, identity, ...)``: the rows with the same e-mail domain, the same tax
  ID or a similar name (pg_trgm), one indexed query per criterion, run inside
  ``trigram_threshold(threshold)``. The duplicate check of applications (``partners.recruitment``)
  and the conflict check of deal registrations (``deals.selectors``) both use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower, Trim, Upper
from django.utils.translation import gettext_lazy as _

MATCH_LIMIT = 50  # rows per criterion

# Trailing legal forms, compared after accents and punctuation are removed ("S.A." is "sa").
LEGAL_SUFFIXES = frozenset(
    {
        "ab",
        "ag",
        "as",
        "bv",
        "cia",
        "cie",
        "co",
        "corp",
        "corporation",
        "cv",
        "eireli",
        "epp",
        "eurl",
        "gmbh",
        "inc",
        "incorporated",
        "kg",
        "lda",
        "limited",
        "llc",
        "llp",
        "lp",
        "ltd",
        "ltda",
        "me",
        "mei",
        "nv",
        "oy",
        "plc",
        "pte",
        "pty",
        "sa",
        "sarl",
        "sas",
        "sasu",
        "sl",
        "slu",
        "spa",
        "srl",
        "ug",
    }
)
_JOINED = re.compile(r"[.'’`´]")
_SEPARATORS = re.compile(r"[\W_]+")
_TAX_ID_DROP = re.compile(r"[\W_]+")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalize_company_name(name: str) -> str:
    """'Solaris Integração Ltda.' -> 'solaris integracao': accents, punctuation and legal forms dropped."""
    text = _strip_accents(name or "").casefold()
    text = _SEPARATORS.sub(" ", _JOINED.sub("", text))
    tokens = text.split()
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)[:200]


def normalize_tax_id(value: str) -> str:
    """'12.345.678/0001-90' -> '12345678000190': letters and digits only, upper case."""
    return _TAX_ID_DROP.sub("", _strip_accents(value or "")).upper()[:40]


# The same normalisation in SQL, for partners stored before their normalised name was kept.
_ACCENTED = "àáâãäåāăąçćčďèéêëēėęěìíîïīįñńňòóôõöōőùúûüūůűųýÿźżžśšşţťŕřĺľ"
_PLAIN = "aaaaaaaaacccdeeeeeeeeiiiiiinnnoooooooouuuuuuuuyyzzzsssttrrll"


def _regexp_replace(expression, pattern: str, replacement: str):
    return Func(expression, Value(pattern), Value(replacement), Value("g"), function="REGEXP_REPLACE")


def normalized_name_sql(field: str):
    """An SQL expression close to normalize_company_name() of a text column."""
    text = Func(Lower(field), Value(_ACCENTED), Value(_PLAIN), function="TRANSLATE")
    text = _regexp_replace(text, "[.'’`´]", "")
    text = Trim(_regexp_replace(text, "[^[:alnum:]]+", " "))
    suffixes = "|".join(sorted(LEGAL_SUFFIXES))
    return _regexp_replace(text, f"( ({suffixes}))+$", "")


def normalized_tax_id_sql(field: str):
    return Upper(_regexp_replace(F(field), "[^[:alnum:]]+", ""))


# --- Email domains -----------------------------------------------------------------------------

FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "bol.com.br",
        "free.fr",
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "icloud.com",
        "ig.com.br",
        "laposte.net",
        "live.com",
        "mac.com",
        "me.com",
        "msn.com",
        "orange.fr",
        "outlook.com",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "sfr.fr",
        "terra.com.br",
        "uol.com.br",
        "wanadoo.fr",
        "web.de",
        "yahoo.com",
        "yandex.com",
        "ymail.com",
        "zoho.com",
    }
)
# Free-mail providers present under many country domains (gmx.de, yahoo.com.br, hotmail.fr …).
FREE_MAIL_FAMILIES = frozenset({"gmx", "hotmail", "live", "outlook", "yahoo", "protonmail", "yandex", "aol"})


def is_free_mail_domain(domain: str) -> bool:
    domain = (domain or "").strip().lower()
    return domain in FREE_MAIL_DOMAINS or domain.split(".", 1)[0] in FREE_MAIL_FAMILIES


def normalize_email_domain(value: str) -> str:
    """'@Example.COM', 'https://www.example.com/' and 'ana@example.com' all give 'example.com'."""
    text = (value or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/", 1)[0].rsplit("@", 1)[-1].strip(".")
    if text.startswith("www."):
        text = text[4:]
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return text
    return text


# --- Matching --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """The normalised name, tax ID and e-mail domain of a company ("" when unknown or free mail)."""

    name: str
    tax_id: str
    domain: str

    @classmethod
    def of(
        cls,
        *,
        name: str = "",
        tax_id: str = "",
        domain: str = "",
        name_normalized: str = "",
        tax_id_normalized: str = "",
        domain_normalized: str = "",
    ) -> Identity:
        """From the stored normalised values where there are some, else from the raw ones."""
        domain = (domain_normalized or "").lower() or (normalize_email_domain(domain) if domain else "")
        return cls(
            name=name_normalized or normalize_company_name(name),
            tax_id=tax_id_normalized or normalize_tax_id(tax_id),
            domain="" if is_free_mail_domain(domain) else domain,
        )


@dataclass(frozen=True)
class IdentityMatch:
    kind: str  # "email_domain", "tax_id" or "name"
    score: float  # 1.0 for an identical domain or tax ID; the trigram similarity for names
    target: object  # the matching row

    KIND_LABELS = {
        "email_domain": _("same email domain"),
        "tax_id": _("same tax ID"),
        "name": _("similar name"),
    }

    @property
    def kind_label(self) -> str:
        return str(self.KIND_LABELS[self.kind])


@contextmanager
def trigram_threshold(threshold: float):
    """pg_trgm's similarity threshold at ``threshold`` for the rest of the transaction.

    ``identity_matches`` filters names with the ``%`` operator (what a trigram index serves), which
    keeps names at or above this threshold: a threshold above the default 0.3 reads far fewer rows,
    and one below it still finds the names in between. A transaction is needed for a local setting;
    inside one already, no savepoint is taken.
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(threshold)])
        yield


def identity_matches(
    queryset,
    identity: Identity,
    *,
    name_field: str,
    tax_field: str,
    domain: str | Callable[[str], Q],
    threshold: float,
    limit: int = MATCH_LIMIT,
) -> list[tuple[str, float, object]]:
    """(kind, score, row) for the rows of ``queryset`` with the same domain, the same tax ID or a name
    at least ``threshold`` similar; each criterion one query of at most ``limit`` rows.

    ``name_field`` and ``tax_field`` name the fields (or annotations) holding the normalised values;
    ``domain`` is a lookup (``"email_domain__iexact"``) or a function of the domain returning a Q.
    Run it inside ``trigram_threshold(threshold)``.
    """
    found: list[tuple[str, float, object]] = []
    if identity.domain:
        same = domain(identity.domain) if callable(domain) else Q(**{domain: identity.domain})
        found += [("email_domain", 1.0, row) for row in queryset.filter(same)[:limit]]
    if identity.tax_id:
        found += [("tax_id", 1.0, row) for row in queryset.filter(**{tax_field: identity.tax_id})[:limit]]
    if identity.name:
        similar = (
            queryset.filter(**{f"{name_field}__trigram_similar": identity.name})
            .annotate(similarity=TrigramSimilarity(name_field, identity.name))
            .filter(similarity__gte=threshold)
            .order_by("-similarity", "pk")[:limit]
        )
        found += [("name", round(float(row.similarity), 2), row) for row in similar]
    return found
