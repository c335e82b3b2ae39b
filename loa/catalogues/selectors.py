"""Reads of catalogues."""

from __future__ import annotations

from django.db.models import QuerySet

from loa.catalogues.models import Entry, Form
from loa.catalogues.services import catalogue_model


def catalogue_entries(slug: str, *, include_retired: bool = False) -> QuerySet[Entry]:
    qs = catalogue_model(slug).objects.all()
    return qs if include_retired else qs.filter(active=True)


def forms_with_measures() -> QuerySet[Form]:
    return Form.objects.prefetch_related("measures")
