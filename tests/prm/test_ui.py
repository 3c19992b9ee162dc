"""The design system's helpers (prm/ui.py, prm/templatetags/ui.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

from prm import ui
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
