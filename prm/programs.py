"""What every partner program has from its creation: an app's settings row for it (deal
registration, lead distribution, the apps to come), with the defaults until changed.

An app registers, in its ``ready()``, the service that creates its row for a program; it runs when a
program is created (not when fixtures are loaded raw). Programs are named by their label, so
importing this module imports no app.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models.signals import post_save

PROGRAM = "partners.Program"


def create_with_each_program(create: Callable, *, dispatch_uid: str) -> None:
    """Call ``create(program=...)`` for every program created."""

    def program_saved(sender, instance, created, raw=False, **kwargs):
        if created and not raw:
            create(program=instance)

    post_save.connect(program_saved, sender=PROGRAM, weak=False, dispatch_uid=dispatch_uid)
