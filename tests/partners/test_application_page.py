"""The admin page of an application: the review block sits in the change form, before its submit row
(not below the Close button), no form is nested in another, and no fieldset is an empty bar."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from partners.models import ApplicationStatus
from partners.recruitment import application_reject
from partners.roles import StaffRole
from tests.factories import ApplicationFactory, CriteriaItemFactory, staff_user
from tests.partners.test_recruitment_admin import submit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea", "button"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []  # Nodes and text

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def descendants(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.descendants()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Tree(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.root = self.current = Node("#root", [], None)
        self.order: list[Node] = []  # elements in document order
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        self.order.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        self.order.append(node)

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)

    def find(self, **attrs):
        return [node for node in self.order if all(node.attrs.get(k) == v for k, v in attrs.items())]

    def by_class(self, name):
        return [node for node in self.order if name in node.classes()]


@pytest.fixture
def program(program):
    CriteriaItemFactory(program=program, text_en="Registered company with a valid tax ID")
    return program


def _page(client, application) -> Tree:
    response = client.get(reverse("admin:partners_application_change", args=[application.pk]))
    assert response.status_code == 200
    return Tree(response.content.decode())


def _assert_layout(tree: Tree):
    (change_form,) = tree.find(id="application_form")
    (review,) = tree.find(id="review")
    (submit_row,) = tree.by_class("submit-row")
    # The review block is part of the change form, and comes before its submit row (the Close button).
    assert change_form in review.ancestors()
    assert tree.order.index(review) < tree.order.index(submit_row)
    assert change_form in submit_row.ancestors()
    # Forms do not nest: the review's buttons name their own forms, which stand outside the change form.
    forms = [node for node in tree.order if node.tag == "form"]
    assert all(not any(a.tag == "form" for a in form.ancestors()) for form in forms)
    # No empty section bar: every fieldset has a heading with text and something under it.
    for fieldset in (node for node in tree.order if node.tag == "fieldset"):
        headings = [n for n in fieldset.descendants() if n.tag in ("h2", "h3", "h4", "legend")]
        assert headings and headings[0].text().strip(), fieldset.attrs
        rows = [n for n in fieldset.descendants() if n.tag in CONTROLS or "form-row" in n.classes()]
        assert rows, headings[0].text()
    for heading in (node for node in tree.order if node.tag == "h2"):
        assert heading.text().strip(), heading.attrs
    return change_form, review, forms


def test_the_review_block_of_an_open_application_sits_in_the_form_before_the_close_button(client, program, reviewer):
    application = submit(program)
    tree = _page(client, application)
    change_form, review, forms = _assert_layout(tree)
    review_url = reverse("admin:partners_application_review", args=[application.pk])
    own_forms = {form.attrs.get("id"): form for form in forms if form.attrs.get("action") == review_url}
    assert own_forms
    for form in own_forms.values():
        assert form.attrs.get("method") == "post"
        assert any(n.attrs.get("name") == "csrfmiddlewaretoken" for n in form.descendants())
    # Every control of the review block belongs to one of the review's forms, never to the change form.
    controls = [n for n in review.descendants() if n.tag in CONTROLS and n.attrs.get("name")]
    assert {c.attrs.get("value") for c in controls if c.attrs.get("name") == "action"} >= {"tick", "approve", "reject"}
    for control in controls:
        assert control.attrs.get("form") in own_forms, control.attrs
    assert "Registered company with a valid tax ID" in review.text()


def test_a_decided_application_keeps_the_layout(client, program, reviewer):
    application = submit(program)
    application_reject(actor=staff_user(StaffRole.CHANNEL_MANAGER), application=application, reason="Not now.")
    tree = _page(client, application)
    _change_form, review, _forms = _assert_layout(tree)
    assert "Decided (Rejected)" in review.text()
    assert not [n for n in review.descendants() if n.tag in CONTROLS]


def test_an_application_without_a_review_clock_keeps_the_layout(client, program, reviewer):
    application = ApplicationFactory(program=program, status=ApplicationStatus.SUBMITTED)
    _assert_layout(_page(client, application))


def test_the_review_buttons_still_decide(client, program, reviewer):
    application = submit(program)
    review_url = reverse("admin:partners_application_review", args=[application.pk])
    response = client.post(review_url, {"action": "reject", "reason": "We do not cover your region yet."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
