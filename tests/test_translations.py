import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = ["pt_BR", "fr"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _po(lang):
    return polib.pofile(str(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"))


def _live_entries(po):
    return [e for e in po if not e.obsolete and e.msgid]


def _pairs(entry):
    """(source, translation) pairs of one entry: the singular, or each plural form against its source."""
    if entry.msgid_plural:
        forms = sorted(entry.msgstr_plural.items())
        return [(entry.msgid if n == 0 else entry.msgid_plural, text) for n, text in forms]
    return [(entry.msgid, entry.msgstr)]


def _label(entry):
    return entry.msgid[:60]


@pytest.mark.parametrize("lang", CATALOGUES)
def test_header_names_language_and_plural_rule(lang):
    po = _po(lang)
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n>1);"
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("lang", CATALOGUES)
def test_every_message_is_translated_and_not_fuzzy(lang):
    entries = _live_entries(_po(lang))
    assert len(entries) > 100
    untranslated = [_label(e) for e in entries if not all(text.strip() for _, text in _pairs(e))]
    fuzzy = [_label(e) for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    for entry in entries:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], _label(entry)


@pytest.mark.parametrize("lang", CATALOGUES)
def test_placeholders_tags_and_edge_newlines_match_the_source(lang):
    problems = []
    for entry in _live_entries(_po(lang)):
        for source, text in _pairs(entry):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                problems.append(("placeholders", source, text))
            if sorted(TAG.findall(source)) != sorted(TAG.findall(text)):
                problems.append(("tags", source, text))
            if (source.startswith("\n"), source.endswith("\n")) != (text.startswith("\n"), text.endswith("\n")):
                problems.append(("newlines", source, text))
    assert problems == []


def test_french_typography():
    problems = []
    for entry in _live_entries(_po("fr")):
        for source, text in _pairs(entry):
            if "“" in text or "”" in text:
                problems.append(("quotes", text))
            if re.search(r" [?!:;]", text):
                problems.append(("space before punctuation", text))
            if "«" in text and not re.search(r"«\u00a0", text):
                problems.append(("space inside quotes", text))
            if re.search(r"\w'\w", text):
                problems.append(("one apostrophe style: ’", text))
            if re.search(r"(\d|\}|\)s)%", text):
                problems.append(("a no-break space before %", text))
    assert problems == []


@pytest.mark.parametrize(
    "language, expected",
    [
        ("pt-br", "6 de março de 2027 às 14:05 UTC"),
        ("fr", "6 mars 2027 14:05 UTC"),
        ("en", "March 6, 2027, 2:05 p.m. UTC"),
    ],
)
def test_dates_write_month_names_as_the_language_does(language, expected):
    import datetime

    from django.utils import formats

    moment = datetime.datetime(2027, 3, 6, 14, 5, tzinfo=datetime.UTC)
    with translation.override(language):
        assert formats.date_format(moment, "DATETIME_FORMAT") == expected
        assert formats.date_format(moment.replace(month=9), "D, N j") in {"seg, set. 6", "lun, sept. 6", "Mon, Sept. 6"}


def test_percentages_keep_french_spacing():
    from django.template import Context, Template

    template = Template("{% load i18n %}{% blocktranslate with percent=40 %}{{ percent }}%{% endblocktranslate %}")
    with translation.override("fr"):
        assert template.render(Context()) == "40\u00a0%"
    with translation.override("pt-br"):
        assert template.render(Context()) == "40%"


def _catalogue_content(mo):
    content = set()
    for entry in mo:
        if not entry.msgid:
            continue
        if entry.msgid_plural:
            content.add((entry.msgctxt, entry.msgid, entry.msgid_plural, tuple(sorted(entry.msgstr_plural.items()))))
        else:
            content.add((entry.msgctxt, entry.msgid, None, entry.msgstr))
    return content


@pytest.mark.parametrize("lang", CATALOGUES)
def test_committed_mo_matches_the_po(lang, tmp_path):
    compiled = tmp_path / "django.mo"
    _po(lang).save_as_mofile(str(compiled))
    committed = polib.mofile(str(LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"))
    expected = _catalogue_content(polib.mofile(str(compiled)))
    actual = _catalogue_content(committed)
    assert expected - actual == set(), "django.mo is missing or has stale translations: run `make messages`"
    assert actual - expected == set(), "django.mo has translations the .po no longer has: run `make messages`"


@pytest.mark.parametrize(
    ("language", "log_out", "sign_in"),
    [("pt-br", "Sair", "Entrar"), ("fr", "Se déconnecter", "Se connecter"), ("en", "Log out", "Sign In")],
)
def test_portal_speaks_the_active_language(language, log_out, sign_in):
    with translation.override(language):
        assert translation.gettext("Log out") == log_out
        assert translation.gettext("Sign In") == sign_in


def test_plural_forms_follow_the_language():
    singular, plural = "%(counter)s unread notification", "%(counter)s unread notifications"
    with translation.override("pt-br"):
        assert translation.ngettext(singular, plural, 1) % {"counter": 1} == "1 notificação não lida"
        assert translation.ngettext(singular, plural, 3) % {"counter": 3} == "3 notificações não lidas"
    with translation.override("fr"):
        assert translation.ngettext(singular, plural, 0) % {"counter": 0} == "0 notification non lue"
        assert translation.ngettext(singular, plural, 2) % {"counter": 2} == "2 notifications non lues"


def test_every_string_of_the_source_is_in_the_catalogues(tmp_path):
    """Extract the messages of the code as it is now (``make messages`` in a copy): none may be new or untranslated."""
    import os
    import shutil
    import subprocess
    import sys

    root = LOCALE_DIR.parent
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        source = root / name
        if source.is_file() and (source.suffix in {".py", ".html", ".txt", ".po"} or source.name == "manage.py"):
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": "postgres://unused/x", "REDIS_URL": "redis://unused"}
    ignored = ["--ignore=.venv", "--ignore=var", "--ignore=tests", "--ignore=benchmarks", "--ignore=staticfiles"]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "pt_BR", "-l", "fr", *ignored],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    for lang in CATALOGUES:
        extracted = polib.pofile(str(tmp_path / "locale" / lang / "LC_MESSAGES" / "django.po"))
        missing = [_label(e) for e in _live_entries(extracted) if not all(text.strip() for _, text in _pairs(e))]
        fuzzy = [_label(e) for e in _live_entries(extracted) if "fuzzy" in e.flags]
        assert missing == [], f"{lang}: strings of the source without a translation: run `make messages`"
        assert fuzzy == [], f"{lang}: translations to review after `make messages`"
