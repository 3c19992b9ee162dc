"""The design system's helpers (prm/ui.py, prm/templatetags/ui.py)."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

from prm import ui
from prm.sla.display import Clock
from prm.templatetags.ui import initials, pct


def test_a_status_keeps_one_meaning():
    ui.register_tones(test_status_a="good")
    ui.register_tones(test_status_a="good")  # the same again changes nothing
    with pytest.raises(ImproperlyConfigured):
        ui.register_tones(test_status_a="bad")
    with pytest.raises(ImproperlyConfigured):
        ui.register_tones(test_status_b="pink")
    assert ui.meaning("test_status_a") == "good"
    assert ui.meaning("never_registered") == "neutral"
    assert ui.meaning("breached") == "bad" and ui.meaning("due_soon") == "action"


def test_the_icon_tag_inlines_a_vendored_icon_hidden_from_screen_readers():
    html = Template('{% load ui %}{% icon "bell" "me-1" %}').render(Context())
    assert html.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="icon me-1"')
    assert 'aria-hidden="true"' in html and "<path" in html and "<svg" not in html[5:]


@pytest.mark.parametrize("name", ["no-such-icon", "../secret", "bell.svg"])
def test_an_unknown_icon_is_an_error(name):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load ui %}{% icon name %}").render(Context({"name": name}))


@pytest.mark.parametrize(
    ("value", "expected"), [(-5, 0), (0, 0), (49.5, 50), (100, 100), (100.4, 100), (250, 100), ("x", 0), (None, 0)]
)
def test_pct_is_a_whole_percentage_from_0_to_100(value, expected):
    assert pct(value) == expected


def test_initials():
    class Person:
        email = "ana.admin@solaris.example"

        def __init__(self, name):
            self.name = name

        def get_full_name(self):
            return self.name

    assert initials(Person("Ana Souza")) == "AS"
    assert initials(Person("")) == "AA"
    assert initials("") == "?"


def test_sort_header_toggles_the_order_and_keeps_the_filters():
    template = Template('{% load ui %}{% sort_header "amount" "Amount" %}')
    request = RequestFactory().get("/deals/", {"status": "open", "page": "3"})
    html = template.render(Context({"request": request}))
    assert 'aria-sort="none"' in html and 'href="?status=open&amp;sort=amount"' in html
    request = RequestFactory().get("/deals/", {"status": "open", "sort": "amount"})
    html = template.render(Context({"request": request}))
    assert 'aria-sort="ascending"' in html and "sort=-amount" in html
    request = RequestFactory().get("/deals/", {"sort": "-amount"})
    assert 'aria-sort="descending"' in template.render(Context({"request": request}))


def _squeeze(html):
    return "".join(html.split())


@pytest.mark.parametrize("code", ["approved", "rejected", "submitted", "never_registered"])
def test_status_badge_renders_what_the_status_component_renders(code):
    context = Context({"code": code, "label": "<b>Label</b>"})
    tag = Template("{% load ui %}{% status_badge code label %}").render(context)
    include = Template('{% include "components/status.html" %}').render(context)
    assert _squeeze(tag) == _squeeze(include)
    assert "&lt;b&gt;" in tag


CLOCK_STATES = ["on_time", "due_soon", "breached", "paused", "met"]


@pytest.mark.parametrize("state", CLOCK_STATES)
def test_deal_clock_renders_what_the_deal_clock_template_renders(state, settings):
    settings.LANGUAGE_CODE = "en"
    due = datetime.datetime(2026, 3, 2, 15, 30, tzinfo=datetime.UTC)
    context = Context({"clock": Clock(state, due, 7200, "2 h <soon>")})
    tag = Template("{% load ui %}{% deal_clock clock %}").render(context)
    include = Template('{% include "deals/_clock.html" %}').render(context)
    assert _squeeze(tag) == _squeeze(include)
    assert (tag != "") == (state != "met")
    assert "&lt;soon&gt;" in tag or state == "met"


@pytest.mark.parametrize("kind", ["acceptance", "first_contact", "other"])
@pytest.mark.parametrize("state", CLOCK_STATES)
def test_lead_clock_renders_what_the_lead_clock_template_renders(state, kind):
    due = datetime.datetime(2026, 3, 2, 15, 30, tzinfo=datetime.UTC)
    context = Context({"clock": Clock(state, due, 7200, "2 h"), "kind": kind})
    tag = Template("{% load ui %}{% lead_clock clock kind %}").render(context)
    include = Template('{% include "leads/_clock.html" %}').render(context)
    assert _squeeze(tag) == _squeeze(include)
    assert (tag != "") == (kind != "other" and state in ("on_time", "due_soon", "breached"))


def test_a_clock_tag_shows_nothing_without_a_clock():
    assert Template("{% load ui %}{% deal_clock None %}{% lead_clock None 'acceptance' %}").render(Context()) == ""
