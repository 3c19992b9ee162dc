"""``get_<field>_display()`` that does not translate every choice for every row.

Django's builds a dict of the field's choices at each call, hashing every label: each lazy label is
translated, eight translations per row of a list of deals for the one label shown. A model that
mixes in ``ChoiceLabels`` reads its labels from a dict built once per field; the labels stay lazy,
so each is translated in the reader's language when shown.
"""

from __future__ import annotations

import functools

from django.utils.encoding import force_str


@functools.cache
def _labels(field) -> dict:
    return dict(field.flatchoices)


class ChoiceLabels:
    """Mix into a model (before ``models.Model``)."""

    def _get_FIELD_display(self, field):  # noqa: N802 - the name Django's ``get_<field>_display`` calls
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value is no choice
            label = value
        return force_str(label, strings_only=True)
