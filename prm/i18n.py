"""Content that staff write in each of the portal's languages.

A translated attribute ``mission`` is three model fields, ``mission_en``, ``mission_pt_br`` and
``mission_fr`` (English required, the others may be blank); ``obj.tr("mission")`` gives the one
of the active language, falling back to English when that translation is empty.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# (field suffix, language code, label)
CONTENT_LANGUAGES = [
    ("en", "en", _("English")),
    ("pt_br", "pt-br", _("Portuguese (Brazil)")),
    ("fr", "fr", _("French")),
]


def suffix_for(language: str | None) -> str:
    language = (language or "en").lower()
    for suffix, code, _label in CONTENT_LANGUAGES:
        if language == code or language.split("-")[0] == code:
            return suffix
    return "en"


class TranslatedMixin:
    def tr(self, name: str) -> str:
        value = getattr(self, f"{name}_{suffix_for(get_language())}", "")
        return value or getattr(self, f"{name}_en", "")
