"""The latest clock of a kind, as an attribute of the object it times.

A workflow model declares ``decision_clock = LatestClock("deals.decision")``; then
``deal.decision_clock`` is the deal's latest clock of that kind (a ``Deadline`` with ``soon_from``, when
its last stretch begins, see ``display.due_soon_from``), or None. Lists read it for every row in one
query with ``queryset.prefetch_related("decision_clock")`` (``SELECT DISTINCT ON (object_id)`` over
the objects of the page), whatever the number of rows, and the row's own query stays plain: no
correlated sub-query per column and row. Read on an object that was not prefetched, it costs one
query, once.
"""

from __future__ import annotations

from operator import attrgetter

from django.contrib.contenttypes.models import ContentType

from .models import Deadline

# The latest clock of an object and kind is the one its pages show.
LATEST = ("-created_at", "-id")


class LatestClock:
    def __init__(self, kind: str):
        self.kind = kind
        self.name = ""
        self.model = None

    def __set_name__(self, owner, name):
        self.name = name
        self.model = owner

    def _clocks(self):
        from .display import due_soon_from  # display reads this module's LATEST

        content_type = ContentType.objects.get_for_model(self.model)  # cached per process
        return Deadline.objects.filter(content_type=content_type, kind=self.kind).annotate(soon_from=due_soon_from())

    # --- Django's prefetch protocol (as a GenericForeignKey's) -----------------------------------

    def is_cached(self, instance) -> bool:
        return self.name in instance._state.fields_cache

    def get_prefetch_querysets(self, instances, querysets=None):
        ids = {instance.pk for instance in instances}
        clocks = self._clocks().filter(object_id__in=ids).order_by("object_id", *LATEST).distinct("object_id")
        return clocks, attrgetter("object_id"), attrgetter("pk"), True, self.name, False

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        cache = instance._state.fields_cache
        if self.name not in cache:
            cache[self.name] = self._clocks().filter(object_id=instance.pk).order_by(*LATEST).first()
        return cache[self.name]
