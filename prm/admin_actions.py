"""Workflow actions in the admin: buttons of a change page and changelist actions behind a confirmation.

A model admin names its buttons' views (``button_views``: routed at ``<object_id>/<suffix>/``) and
what its change page shows of the object beyond its fields (``change_page_context``).

Each action calls one service per object. The admin decides nothing itself: a refusal of the
service (``ServiceError`` or ``PermissionDenied``) becomes an error message naming the object, never
a 500, and the other objects of a bulk action carry on. A model admin sets what its confirmation
page shows and how an object is named; one whose objects can change under the reader (two
approvers, a double click) gives them a version, and a refusal after a change says so.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from prm.errors import ServiceError


def error_text(error) -> str:
    """The message of a service's refusal."""
    if isinstance(error, ServiceError):
        return str(error.message)
    return str(error) or gettext("You may not do this.")


class ConfirmedActionsMixin:
    """For a ModelAdmin. An ``act(obj, cleaned_data)`` returns the message of its success, or a
    (message, level) pair: a level other than SUCCESS (say, a lead no rule placed) is shown even in a
    bulk action and does not count as done."""

    confirmation_template = "admin/confirm_action.html"
    # What the confirmation page includes in <head> and the class of its content.
    confirmation_style = ""
    confirmation_class = ""
    # Joined by select_related() when the objects of a bulk action are read.
    confirmation_related: tuple[str, ...] = ()

    def object_label(self, obj) -> str:
        return str(obj)

    # --- The change page and its buttons ---

    def button_views(self) -> dict:
        """The views of the change page's buttons, by URL suffix: each is routed at
        ``<object_id>/<suffix>/`` and named ``<app>_<model>_<suffix>`` (``-`` read as ``_``)."""
        return {}

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        buttons = [
            path(
                f"<path:object_id>/{suffix}/",
                self.admin_site.admin_view(view),
                name=f"{prefix}_{suffix.replace('-', '_')}",
            )
            for suffix, view in self.button_views().items()
        ]
        return [*buttons, *super().get_urls()]

    def change_page_context(self, request, obj) -> dict:
        """What the change page shows of an object in the user's scope beyond its fields."""
        return {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra_context.update(self.change_page_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context)

    # --- The confirmation page of a bulk action ---

    def confirmation_columns(self) -> list:
        """Headers of the confirmation table."""
        return []

    def confirmation_cells(self, obj) -> list:
        """One row of the confirmation table, as the headers say."""
        return []

    def version_of(self, obj) -> str | None:
        """What the page showed of ``obj`` (None: not tracked). Posted back as ``seen``."""
        return None

    def refusal_text(self, obj, error, seen: str | None) -> str:
        return f"{self.object_label(obj)}: {error_text(error)}"

    def run_action(self, request, obj, call, *, seen: str | None = None, announce: bool = True) -> bool:
        """Call one service for one object; True when it was done."""
        try:
            outcome = call()
        except (ServiceError, PermissionDenied) as error:
            self.message_user(request, self.refusal_text(obj, error, seen), messages.ERROR)
            return False
        message, level = outcome if isinstance(outcome, tuple) else (outcome, messages.SUCCESS)
        if message and (announce or level != messages.SUCCESS):
            self.message_user(request, message, level)
        return level == messages.SUCCESS

    def single_action(self, request, object_id, *, allowed: bool, form, act):
        """A button of the change page: POST only, the object in the user's scope (else the admin's
        "does not exist" redirect), the form, the service; back to the change page."""
        if not allowed:
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        bound = form(request.POST)
        if bound.is_valid():
            self.run_action(request, obj, lambda: act(obj, bound.cleaned_data), seen=request.POST.get("seen") or None)
        else:
            for errors in bound.errors.values():
                for error in errors:
                    self.message_user(request, f"{self.object_label(obj)}: {error}", messages.ERROR)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def bulk_action(self, request, queryset, *, action: str, form, act, title, intro, button, done):
        """A changelist action: first a confirmation page listing the objects with the action's form,
        then (``apply``) the service for each object and one summary, ``done(total)`` formatted with
        ``count`` (done) and ``total``."""
        objects = list(queryset.select_related(*self.confirmation_related).order_by("pk"))
        applying = "apply" in request.POST
        bound = form(request.POST if applying else None)
        if applying and bound.is_valid():
            succeeded = 0
            for obj in objects:
                call = lambda obj=obj: act(obj, bound.cleaned_data)  # noqa: E731
                seen = request.POST.get(f"seen-{obj.pk}") or None
                if self.run_action(request, obj, call, seen=seen, announce=False):
                    succeeded += 1
            self.message_user(
                request,
                done(len(objects)) % {"count": succeeded, "total": len(objects)},
                messages.SUCCESS if succeeded == len(objects) else messages.WARNING,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "button": button,
            "opts": self.opts,
            "style_template": self.confirmation_style,
            "content_class": self.confirmation_class,
            "columns": self.confirmation_columns(),
            "rows": [(obj, self.version_of(obj), self.confirmation_cells(obj)) for obj in objects],
            "form": bound,
            "action": action,
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.confirmation_template, context)
