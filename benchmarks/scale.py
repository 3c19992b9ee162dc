"""Many generated deal registrations for the benchmarks, in bulk SQL: ``seed_demo_scale(n)`` grows the
deal registrations table of the demo data (``manage.py seed_demo``) to ``n`` rows.

    DATABASE_URL=postgres://…/prm_bench .venv/bin/python benchmarks/scale.py 1000000

Every value is a function of the row's id: the same ``n`` gives the same data, a second run adds
nothing. See benchmarks/README.md.
"""

import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")

# Consonant-vowel syllables: a brand of three of them decodes uniquely, so an injective number gives
# an injective name (the approved rows rely on it for distinct customer keys).
SYLLABLES = tuple(c + v for c in "bcdfglmnprstvz" for v in "aeiou")
BRANDS = len(SYLLABLES) ** 3

# code, share (per 1000), language, currency, web suffix, tax ID template (# = digit)
SCALE_COUNTRIES = [
    ("BR", 350, "pt", "BRL", "com.br", "##.###.###/0001-##"),
    ("FR", 220, "fr", "EUR", "fr", "### ### ###"),
    ("US", 80, "en", "USD", "com", "##-#######"),
    ("MX", 50, "es", "USD", "com.mx", "RFC ######-###"),
    ("AR", 40, "es", "USD", "com.ar", "30-########-#"),
    ("PT", 40, "pt", "EUR", "pt", "PT ### ### ###"),
    ("ES", 40, "es", "EUR", "es", "B########"),
    ("CL", 30, "es", "USD", "cl", "##.###.###-#"),
    ("CO", 30, "es", "USD", "com.co", "###.###.###-#"),
    ("BE", 30, "fr", "EUR", "be", "BE 0###.###.###"),
    ("DE", 30, "de", "EUR", "de", "DE #########"),
    ("CA", 20, "en", "USD", "ca", "######### RT0001"),
    ("GB", 20, "en", "USD", "co.uk", "GB ### #### ##"),
    ("IT", 20, "it", "EUR", "it", "IT ###########"),
]

SCALE_SUFFIXES = {
    "BR": ["", " Ltda", " Ltda.", " S.A.", " ME", " EIRELI"],
    "PT": ["", " Lda", " S.A."],
    "FR": ["", " SAS", " SARL", " SA", " SASU", " EURL"],
    "BE": ["", " SA", " SRL", " BV"],
    "US": ["", " Inc.", " LLC", " Corp."],
    "CA": ["", " Inc.", " Ltd."],
    "GB": ["", " Ltd", " PLC", " LLP"],
    "MX": ["", " S.A.", " S.A.S."],
    "AR": ["", " S.A.", " S.R.L."],
    "CL": ["", " SpA", " Ltda."],
    "CO": ["", " S.A.S.", " Ltda."],
    "ES": ["", " S.L.", " S.A.", " SLU"],
    "DE": ["", " GmbH", " AG", " KG"],
    "IT": ["", " S.r.l.", " S.p.A."],
}

SCALE_SECTORS = {
    "pt": "Tecnologia|Logística|Soluções|Alimentos|Construções|Engenharia|Consultoria|Distribuidora|"
    "Comércio e Serviços|Indústria Metalúrgica|Transportes|Agropecuária|Saúde|Educação|Energia|Telecom|"
    "Farmacêutica|Têxtil|Imóveis|Seguros|Sistemas|Informática|Automação|Papel e Celulose|Móveis|Bebidas|"
    "Cosméticos|Hotelaria|Varejo|Mineração",
    "fr": "Informatique|Logistique|Solutions|Conseil|Ingénierie|Transports|Énergie|Santé|Bâtiment|Distribution|"
    "Agroalimentaire|Assurances|Télécom|Industrie|Services|Éditions|Pharmacie|Hôtellerie|Immobilier|"
    "Automatismes|Électricité|Textile|Boulangerie|Mécanique|Formation|Énergies Renouvelables|Matériaux|"
    "Cosmétiques|Vins et Spiritueux|Numérique",
    "es": "Tecnología|Logística|Soluciones|Alimentos|Construcciones|Ingeniería|Consultoría|Distribuidora|"
    "Comercial|Transportes|Energía|Salud|Seguros|Sistemas|Informática|Minería|Farmacéutica|"
    "Telecomunicaciones|Inmobiliaria|Automatización|Agroindustrial|Hoteles",
    "en": "Technologies|Logistics|Solutions|Foods|Construction|Engineering|Consulting|Distribution|Industries|"
    "Transport|Energy|Healthcare|Insurance|Systems|Software|Mining|Pharmaceuticals|Telecom|Properties|"
    "Automation|Manufacturing|Retail|Analytics|Networks|Capital",
    "de": "Technik|Logistik|Maschinenbau|Energie|Beratung|Systeme|Software|Handel|Bau|Versicherungen|"
    "Medizintechnik|Elektronik|Automatisierung|Transporte|Lebensmittel|Pharma|Immobilien|Telekom|"
    "Industrie|Dienstleistungen",
    "it": "Tecnologie|Logistica|Soluzioni|Alimentari|Costruzioni|Ingegneria|Consulenza|Distribuzione|"
    "Trasporti|Energia|Sanità|Assicurazioni|Sistemi|Informatica|Farmaceutica|Telecomunicazioni|"
    "Immobiliare|Automazione|Meccanica|Moda",
}

SCALE_SURNAMES = (
    "Silva|Santos|Oliveira|Souza|Ferreira|Costa|Almeida|Araújo|Martin|Bernard|Dubois|Moreau|Laurent|Lefèvre|"
    "García|López|Hernández|Müller|Schmidt|Rossi|Bianchi|Smith|Johnson|Brown"
).split("|")

# Partners that register the generated deals: brand, a word per language, a legal form.
SCALE_PARTNER_WORDS = {
    "pt": ["Sistemas", "Integração", "Consultoria em TI", "Soluções Digitais", "Tecnologia"],
    "fr": ["Informatique", "Conseil", "Intégration", "Solutions", "Services Numériques"],
    "es": ["Sistemas", "Consultores", "Soluciones TI", "Integración"],
    "en": ["IT Services", "Consulting", "Systems", "Integration", "Cloud Partners"],
    "de": ["IT-Systemhaus", "Beratung", "Systeme"],
    "it": ["Informatica", "Sistemi", "Consulenza"],
}

SCALE_STATUS_SHARES = [  # per 1000
    ("draft", 10),
    ("submitted", 15),
    ("info_requested", 5),
    ("approved", 30),
    ("rejected", 120),
    ("won", 300),
    ("lost", 220),
    ("expired", 300),
]
SCALE_CHUNK = 100_000


def _scale_lists():
    """The word lists with their normalised forms, checked against the service's normalisation."""
    from prm.identity import LEGAL_SUFFIXES, normalize_company_name

    sectors = {lang: text.split("|") for lang, text in SCALE_SECTORS.items()}
    for code, _share, lang, *_rest in SCALE_COUNTRIES:
        for sector in sectors[lang]:
            for surname in ("", " Silva"):
                for suffix in SCALE_SUFFIXES[code]:
                    name = f"Bacedi{surname} {sector}{suffix}"
                    expected = f"bacedi{surname.lower()} {normalize_company_name(sector)}"
                    if normalize_company_name(name) != expected or expected.split()[-1] in LEGAL_SUFFIXES:
                        raise ValueError(f"{name!r} does not normalise to {expected!r}.")
    for surname in SCALE_SURNAMES:
        if len(normalize_company_name(surname).split()) != 1:
            raise ValueError(f"{surname!r} is not one word.")
    return sectors


def _tax_id_sql(template: str, digits: str) -> str:
    """An SQL expression filling the template's # with the rightmost digits of ``digits`` (14 characters)."""
    count = template.count("#")
    parts, position, run = [], 15 - count, ""
    for char in template + "\0":
        if char == "#":
            if run:
                parts.append("'" + run.replace("'", "''") + "'")
                run = ""
            parts.append(f"substr({digits}, {position}, 1)")
            position += 1
        elif char != "\0":
            run += char
        elif run:
            parts.append("'" + run.replace("'", "''") + "'")
    return "(" + " || ".join(parts) + ")"


def _scale_partners(program, count: int) -> tuple[list[int], list[str]]:
    """``count`` generated partners (created once, found again by name), their ids and countries."""
    from partners.models import Partner, Tier
    from prm.identity import normalize_company_name, normalize_tax_id

    tiers = {tier.rank: tier for tier in Tier.objects.filter(program=program)}
    wanted = []
    for index in range(count):
        brand_number = (index * 73 + 5) % len(SYLLABLES) ** 2
        brand = (SYLLABLES[brand_number % 70] + SYLLABLES[brand_number // 70]).capitalize()
        code, _share, lang, _currency, web, template = SCALE_COUNTRIES[
            _pick([share for _c, share, *_r in SCALE_COUNTRIES], (index * 7919) % 1000)
        ]
        words = SCALE_PARTNER_WORDS[lang]
        suffix = SCALE_SUFFIXES[code][1 + index % (len(SCALE_SUFFIXES[code]) - 1)]
        digits = f"{(index * 7_654_321_987 + 1_234_567_891) % 10**14:014d}"
        tax_id = _fill(template, digits)
        name = f"{brand} {words[index % len(words)]}{suffix}"
        wanted.append(
            Partner(
                program=program,
                name=name,
                country=code,
                tier=tiers.get(1 + (index * 31) % 4 if index % 5 else 1),
                name_normalized=normalize_company_name(name),
                email_domain=f"{brand.lower()}.{web}",
                tax_id=tax_id,
                tax_id_normalized=normalize_tax_id(tax_id),
            )
        )
    existing = set(Partner.objects.filter(name__in=[p.name for p in wanted]).values_list("name", flat=True))
    Partner.objects.bulk_create([p for p in wanted if p.name not in existing], batch_size=1000)
    by_name = dict(Partner.objects.filter(name__in=[p.name for p in wanted]).values_list("name", "pk"))
    return [by_name[p.name] for p in wanted], [p.country for p in wanted]


def _pick(shares: list[int], point: int) -> int:
    for index, share in enumerate(shares):
        if point < share:
            return index
        point -= share
    return len(shares) - 1


def _fill(template: str, digits: str) -> str:
    chars = iter(digits[-template.count("#") :])
    return "".join(next(chars) if char == "#" else char for char in template)


# Each step is MATERIALIZED: inlined, every reference to a column would compute its whole expression again.
_SCALE_SQL = """
WITH new AS (
    SELECT nextval(%(sequence)s::regclass) AS id FROM generate_series(1, %(rows)s)
), h AS MATERIALIZED (
    SELECT id,
        hashint8extended(id, 1) & 9223372036854775807 AS h_status,
        hashint8extended(id, 2) & 9223372036854775807 AS h_partner,
        hashint8extended(id, 3) & 9223372036854775807 AS h_customer,
        hashint8extended(id, 4) & 9223372036854775807 AS h_time,
        hashint8extended(id, 5) & 9223372036854775807 AS h_amount,
        hashint8extended(id, 6) & 9223372036854775807 AS h_misc
    FROM new
), who AS MATERIALIZED (
    SELECT h.*,
        {status} AS status,
        CASE WHEN mod(h_partner, 1000) < 20 THEN 0 WHEN mod(h_partner, 1000) < 30 THEN -1
             ELSE 1 + floor(%(partner_count)s * power(mod(h_partner >> 20, 1000000) / 1000000.0, 2))::int
        END AS partner_no
    FROM h
), place AS MATERIALIZED (
    SELECT who.*,
        CASE partner_no WHEN 0 THEN %(solaris)s::bigint WHEN -1 THEN %(lumiere)s::bigint
             ELSE (%(partners)s::bigint[])[partner_no] END AS partner_id,
        CASE WHEN mod(h_partner >> 40, 100) >= 85 THEN {country}
             WHEN partner_no = 0 THEN 'BR' WHEN partner_no = -1 THEN 'FR'
             ELSE (%(partner_countries)s::text[])[partner_no] END AS country,
        -- Approved rows: the customer number is the (unique) id, so their names and keys are distinct.
        CASE WHEN status = 'approved' THEN id ELSE mod(h_customer, %(pool)s) END AS customer
    FROM who
), customer AS MATERIALIZED (
    SELECT place.*,
        array_position(%(countries)s::text[], country) AS ci,
        mod(customer * 7919 + 12345, {brands}) AS brand_no,
        lpad(mod(hashint8extended(customer, 7) & 9223372036854775807, 100000000000000)::text, 14, '0') AS digits
    FROM place
), parts AS MATERIALIZED (
    SELECT customer.*,
        (%(syllables)s::text[])[1 + mod(brand_no, 70)] || (%(syllables)s::text[])[1 + mod(brand_no / 70, 70)]
            || (%(syllables)s::text[])[1 + mod(brand_no / 4900, 70)] AS brand,
        CASE WHEN mod(brand_no, 8) < 2 THEN 1 + mod(brand_no * 17, %(surname_count)s) END AS surname_i,
        (%(sector_offsets)s::int[])[ci] + mod(customer / {brands} + brand_no * 31, (%(sector_counts)s::int[])[ci])
            AS sector_i,
        (%(suffix_offsets)s::int[])[ci] + mod(h_misc >> 8, (%(suffix_counts)s::int[])[ci]) AS suffix_i,
        CASE WHEN mod(h_misc, 100) < 15 THEN 0 WHEN mod(h_misc, 100) < 23 THEN 1 ELSE 2 END AS contact,
        (%(locals)s::text[])[1 + mod(h_misc >> 16, %(local_count)s)] AS local_part,
        (%(free_domains)s::text[])[1 + mod(h_misc >> 24, %(free_count)s)] AS free_domain
    FROM customer
), named AS MATERIALIZED (
    SELECT parts.*,
        brand || coalesce(' ' || (%(surnames_normalized)s::text[])[surname_i], '') || ' '
            || (%(sectors_normalized)s::text[])[sector_i] AS name_normalized,
        initcap(brand) || coalesce(' ' || (%(surnames)s::text[])[surname_i], '') || ' '
            || (%(sectors)s::text[])[sector_i] || (%(suffixes)s::text[])[suffix_i] AS company,
        CASE contact WHEN 0 THEN '' WHEN 1 THEN free_domain
             ELSE brand || '.' || (%(webs)s::text[])[ci] END AS domain,
        CASE WHEN mod(h_misc >> 32, 100) < 60 THEN {tax_id} ELSE '' END AS tax_id
    FROM parts
), timed AS MATERIALIZED (
    SELECT named.*,
        CASE status
            WHEN 'draft' THEN now() - mod(h_time, 30 * 86400) * interval '1 second'
            WHEN 'submitted' THEN now() - mod(h_time, 43200) * interval '1 second'
            WHEN 'info_requested' THEN now() - mod(h_time, 43200) * interval '1 second'
            WHEN 'approved' THEN now() - mod(h_time, 85 * 86400) * interval '1 second'
                - (86400 + mod(h_time >> 24, 86400)) * interval '1 second'
            WHEN 'rejected' THEN now() - (86400 + mod(h_time, 5 * 365 * 86400)) * interval '1 second'
            ELSE now() - (100 * 86400 + mod(h_time, 5 * 365 * 86400)) * interval '1 second'
        END AS submitted
    FROM named
), dated AS MATERIALIZED (
    SELECT timed.*,
        CASE WHEN status = 'draft' THEN NULL
             WHEN status = 'approved' THEN submitted + (86400 + mod(h_time >> 24, 86400)) * interval '1 second'
             WHEN status IN ('won', 'lost', 'expired') THEN submitted + interval '1 day'
        END AS approved
    FROM timed
), final AS MATERIALIZED (
    SELECT dated.*,
        approved + %(protection_days)s * interval '1 day' AS protected,
        CASE WHEN status IN ('won', 'lost')
             THEN approved + mod(h_time >> 24, 85 * 86400) * interval '1 second'
             -- Rejected within a day of the submission (at least a day ago): the moment of the decision.
             WHEN status = 'rejected' THEN submitted + mod(h_time >> 24, 86400) * interval '1 second'
        END AS closed,
        round((1000 * power(1000::float8, mod(h_amount, 1000000) / 1000000::float8))::numeric, 2) AS amount
    FROM dated
), inserted AS (
    INSERT INTO deals_deal (
        id, partner_id, created_by_id, customer_company, customer_name_normalized, customer_email,
        customer_email_domain, customer_tax_id, customer_tax_id_normalized, customer_country, customer_key,
        amount, currency, expected_close_date, notes, status, stage, conflict_flag, conflict_check_failed,
        info_question, info_answer, submitted_at, first_approver_id, first_approved_at, second_approver_id,
        approved_at, protected_until, extensions_used, extension_requested_at, extension_reason, decision_reason,
        final_amount, closed_on, closed_at, created_at, updated_at
    )
    SELECT
        id, partner_id, NULL, company, name_normalized,
        CASE WHEN domain = '' THEN '' ELSE local_part || '@' || domain END,
        domain, tax_id, regexp_replace(upper(tax_id), '[^A-Z0-9]+', '', 'g'), country,
        country || ':' || name_normalized,
        amount, (%(currencies)s::text[])[ci],
        (coalesce(submitted, now()) + (30 + mod(h_amount >> 24, 150)) * interval '1 day')::date, '', status,
        CASE WHEN status = 'won' THEN 'commit'
             WHEN status IN ('approved', 'lost', 'expired')
             THEN (ARRAY['qualification', 'proposal', 'negotiation', 'commit'])[1 + mod(h_misc >> 40, 4)]
             ELSE '' END,
        status IN ('submitted', 'info_requested') AND mod(h_misc >> 44, 10) = 0, false,
        CASE WHEN status = 'info_requested' THEN %(question)s ELSE '' END, '',
        CASE WHEN status = 'draft' THEN NULL ELSE submitted END, NULL, approved, NULL, approved, protected, 0,
        NULL, '',
        CASE WHEN status = 'rejected' THEN (%(reject_reasons)s::text[])[1 + mod(h_misc >> 48, %(reject_count)s)]
             WHEN status = 'lost' THEN (%(lost_reasons)s::text[])[1 + mod(h_misc >> 48, %(lost_count)s)]
             ELSE '' END,
        CASE WHEN status = 'won' THEN round(amount * (80 + mod(h_amount >> 32, 40)) / 100, 2) END,
        CASE WHEN status = 'won' THEN (closed AT TIME ZONE 'UTC')::date END,
        closed,
        coalesce(submitted, now()) - (600 + mod(h_time >> 44, 3 * 86400)) * interval '1 second',
        least(now(), coalesce(closed, CASE WHEN status = 'expired' THEN protected END, approved, submitted, now()))
    FROM final
    RETURNING id, partner_id, status, submitted_at, approved_at, protected_until
), products AS (
    INSERT INTO deals_deal_products (deal_id, product_id)
    SELECT id, (%(products)s::bigint[])[1 + mod(id, %(product_count)s)] FROM inserted
    UNION ALL
    SELECT id, (%(products)s::bigint[])[
        1 + mod(mod(id, %(product_count)s) + 1 + mod(id / %(product_count)s, %(product_count)s - 1),
                %(product_count)s)]
    FROM inserted WHERE mod(id, 3) = 0
), clocks AS (
    -- The open clocks of open and protecting registrations (approximate: calendar, not business, days).
    INSERT INTO sla_deadline (
        kind, content_type_id, object_id, partner_id, calendar_id, duration_seconds, consumed_seconds,
        started_at, resumed_at, due_at, reminder_fractions, reminders_sent, next_fire_at, state, attempts,
        last_error, closed_at, created_at, updated_at
    )
    SELECT
        CASE WHEN status = 'approved' THEN 'deal.protection' ELSE 'deal.decision' END,
        %(content_type)s, id, partner_id, %(calendar)s,
        CASE WHEN status = 'approved' THEN %(protection_seconds)s ELSE %(decision_seconds)s END,
        CASE WHEN status = 'info_requested' THEN mod(id, %(decision_seconds)s / 2) ELSE 0 END,
        coalesce(approved_at, submitted_at),
        CASE WHEN status = 'info_requested' THEN NULL ELSE coalesce(approved_at, submitted_at) END,
        CASE status WHEN 'approved' THEN protected_until
             WHEN 'submitted' THEN submitted_at + %(decision_days)s * interval '1 day' END,
        CASE WHEN status = 'approved' THEN %(protection_reminders)s::jsonb ELSE '[0.5, 0.8]'::jsonb END,
        CASE WHEN status = 'approved'
             THEN (protected_until - interval '14 days' <= now())::int + (protected_until - interval '3 days' <= now())::int
             ELSE 0 END,
        CASE status
            WHEN 'approved' THEN CASE WHEN protected_until - interval '14 days' > now()
                                      THEN protected_until - interval '14 days'
                                      WHEN protected_until - interval '3 days' > now()
                                      THEN protected_until - interval '3 days'
                                      ELSE protected_until END
            WHEN 'submitted' THEN submitted_at + %(decision_days)s * interval '12 hours' END,
        CASE WHEN status = 'info_requested' THEN 'paused' ELSE 'open' END,
        0, '', NULL, coalesce(approved_at, submitted_at), now()
    FROM inserted WHERE status IN ('submitted', 'info_requested', 'approved')
)
SELECT count(*) FROM inserted
"""


_ANALYSED = (
    "deals_deal",
    "deals_deal_products",
    "deals_partnerdealday",  # the figures the triggers kept (deals.figures)
    "deals_partnerstatuscount",
    "sla_deadline",
    "partners_partner",
)


def seed_demo_scale(total: int, *, log=print) -> int:
    """Grow the deal registrations table to ``total`` rows (generated, in bulk); returns the rows added.

    Every value is a function of the row's id: the same ``total`` gives the same data, a second run
    adds nothing. Customer keys follow deals.services exactly (country and normalised name);
    approved rows get distinct customers, so the exclusion constraint holds.
    """
    import time

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from catalogue.models import Product
    from deals.models import Deal
    from deals.selectors import program_settings
    from partners.demo import PARTNERS
    from partners.models import Partner, Program
    from prm.identity import normalize_company_name
    from prm.sla.calendar import Schedule, business_seconds_between, working_seconds_per_day

    missing = total - Deal.objects.count()
    if missing <= 0:
        log(f"deal registrations: {Deal.objects.count()} already, nothing to add")
        return 0
    sectors = _scale_lists()
    program = Program.objects.select_related("calendar").get(slug="partner-program")
    settings = program_settings(program)
    languages = {code: lang for code, _s, lang, *_r in SCALE_COUNTRIES}
    countries = [code for code, *_rest in SCALE_COUNTRIES]
    partners, partner_countries = _scale_partners(program, min(2500, max(10, total // 400)))
    pool = max(1000, total * 6 // 10)
    capacity = BRANDS * min(len(words) for words in sectors.values())
    last_id = (Deal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + missing
    if max(pool, last_id) >= capacity:
        raise ValueError(f"The generated names are distinct up to {capacity} rows.")

    sector_list, sector_offsets, sector_counts, suffix_list, suffix_offsets, suffix_counts = [], [], [], [], [], []
    for code in countries:
        words = sectors[languages[code]]
        sector_offsets.append(len(sector_list) + 1)
        sector_counts.append(len(words))
        sector_list += words
        suffix_offsets.append(len(suffix_list) + 1)
        suffix_counts.append(len(SCALE_SUFFIXES[code]))
        suffix_list += SCALE_SUFFIXES[code]
    status_case, limit = "CASE", 0
    for status, share in SCALE_STATUS_SHARES:
        limit += share
        status_case += f" WHEN mod(h_status, 1000) < {limit} THEN '{status}'"
    status_case += " END"
    country_case, limit = "CASE", 0
    for code, share, *_rest in SCALE_COUNTRIES:
        limit += share
        country_case += f" WHEN mod(h_partner >> 48, 1000) < {limit} THEN '{code}'"
    country_case += " ELSE 'BR' END"
    tax_case = (
        "CASE country "
        + " ".join(f"WHEN '{code}' THEN {_tax_id_sql(template, 'digits')}" for code, *_r, template in SCALE_COUNTRIES)
        + " END"
    )
    sql = _SCALE_SQL.format(status=status_case, country=country_case, tax_id=tax_case, brands=BRANDS)

    # The protection clock of a typical approval, for the reminder fractions (14 and 3 days before the end).
    schedule = Schedule.from_calendar(program.calendar)
    start = datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC)
    end = start + datetime.timedelta(days=settings.protection_days)
    protection_seconds = business_seconds_between(schedule, start, end) + 1
    reminders = [
        round(business_seconds_between(schedule, start, end - datetime.timedelta(days=days)) / protection_seconds, 4)
        for days in (14, 3)
    ]
    products = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    params = {
        "partner_count": len(partners),
        "partners": partners,
        "partner_countries": partner_countries,
        "solaris": Partner.objects.get(name=PARTNERS[0]["name"]).pk,
        "lumiere": Partner.objects.get(name=PARTNERS[1]["name"]).pk,
        "pool": pool,
        "countries": countries,
        "currencies": [currency for _c, _s, _l, currency, *_r in SCALE_COUNTRIES],
        "webs": [web for *_f, web, _t in SCALE_COUNTRIES],
        "syllables": list(SYLLABLES),
        "surnames": SCALE_SURNAMES,
        "surnames_normalized": [normalize_company_name(name) for name in SCALE_SURNAMES],
        "surname_count": len(SCALE_SURNAMES),
        "sectors": sector_list,
        "sectors_normalized": [normalize_company_name(word) for word in sector_list],
        "sector_offsets": sector_offsets,
        "sector_counts": sector_counts,
        "suffixes": suffix_list,
        "suffix_offsets": suffix_offsets,
        "suffix_counts": suffix_counts,
        "locals": ["compras", "ti", "contato", "achats", "contact", "dsi", "info", "purchasing", "it", "compras.ti"],
        "local_count": 10,
        "free_domains": ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.br", "orange.fr", "bol.com.br"],
        "free_count": 6,
        "question": "Who is the economic buyer, and is another vendor bidding?",
        "reject_reasons": ["conflict", "Duplicate of an existing registration.", "Not a qualified opportunity."],
        "reject_count": 3,
        "lost_reasons": ["Lost to a competitor.", "Budget cancelled.", "No decision."],
        "lost_count": 3,
        "products": products,
        "product_count": len(products),
        "protection_days": settings.protection_days,
        "protection_seconds": protection_seconds,
        "protection_reminders": json.dumps(reminders),
        "decision_days": settings.decision_days,
        "decision_seconds": max(1, settings.decision_days) * working_seconds_per_day(program.calendar),
        "content_type": ContentType.objects.get_for_model(Deal).pk,
        "calendar": program.calendar_id,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('deals_deal', 'id')")
        params["sequence"] = cursor.fetchone()[0]
    started = time.monotonic()
    added = 0
    while added < missing:
        rows = min(SCALE_CHUNK, missing - added)
        with transaction.atomic(), connection.cursor() as cursor:
            # JIT compiling this large statement costs more than running it.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, {**params, "rows": rows})
            added += cursor.fetchone()[0]
        with connection.cursor() as cursor:
            # Fresh statistics for the next chunk: planned on the counts of an empty table, the chunks
            # took 14, 61, then over 140 s.
            for table in _ANALYSED:
                cursor.execute(f"ANALYZE {table}")
        log(f"deal registrations: {added}/{missing} added ({time.monotonic() - started:.0f} s)")
    # Statistics for the planner; outside a transaction also the visibility map (index-only scans), as
    # autovacuum would leave a table in production.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in _ANALYSED:
            cursor.execute(f"{command} {table}")
    log(f"deal registrations: {Deal.objects.count()} in all; analysed ({time.monotonic() - started:.0f} s)")
    return added


def main() -> int:
    import argparse

    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=int, help="the number of deal registrations to reach")
    args = parser.parse_args()
    django.setup()
    from prm.demo import seed_demo

    seed_demo()
    seed_demo_scale(args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
