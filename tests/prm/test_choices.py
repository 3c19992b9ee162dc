"""get_<field>_display() of the models that mix in prm.choices.ChoiceLabels: the label in the reader's
language, the value itself when it is no choice, one translation a call."""

from django.utils import translation

from deals.models import Deal, DealStatus
from leads.models import Lead


def test_the_label_is_in_the_active_language_and_a_value_outside_the_choices_shows_as_itself():
    deal = Deal(status=DealStatus.INFO_REQUESTED)
    labels = {}
    for language in ("en", "pt-br", "fr"):
        with translation.override(language):
            labels[language] = deal.get_status_display()
            assert labels[language] == str(DealStatus.INFO_REQUESTED.label)
    assert len(set(labels.values())) == 3  # three languages, three labels
    assert Deal(status="no-such-status").get_status_display() == "no-such-status"
    assert Deal(status="").get_status_display() == ""
    assert Lead(status=Lead._meta.get_field("status").choices[0][0]).get_status_display()


def test_one_translation_a_call(monkeypatch):
    from django.utils.translation import _trans

    deal = Deal(status=DealStatus.WON)
    deal.get_status_display()
    calls = []
    original = _trans.gettext
    monkeypatch.setattr(_trans, "gettext", lambda message: calls.append(message) or original(message))
    with translation.override("fr"):
        assert deal.get_status_display() == str(DealStatus.WON.label)
    assert len(calls) <= 2  # the label read and compared here: not one for each of the choices
