"""What the upload check and the import run share: reading the file as lines of text, blank rows,
and the two messages of a file that is not CSV text."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prm.errors import ServiceError

NOT_TEXT = _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
NOT_CSV = _("The file could not be read as CSV.")


def _text_lines(text):
    """The lines of a text stream; NUL bytes mean a binary file."""
    for line in text:
        if "\x00" in line:
            raise ServiceError(NOT_TEXT, field="file")
        yield line


def _is_blank(record) -> bool:
    return not any(value.strip() for value in record)
