"""Writes to catalogues: seeding from DOMAIN.md's vocabulary, and the administrator's edits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from loa.catalogues.models import CATALOGUES, Entry, Form, FormMeasure
from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.core.text import nfc
from loa.people.models import User

SEED_FILE = Path(__file__).resolve().parent / "seed.json"
EDITABLE_FIELDS = ("name", "name_en", "description", "active", "sort_order")


@transaction.atomic
def catalogues_seed(path: Path = SEED_FILE) -> dict[str, int]:
    """Create missing entries from the seed file; never overwrites an administrator's edits."""
    data: dict[str, list[dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for slug, entries in data.items():
        model = CATALOGUES[slug]
        for order, raw in enumerate(entries):
            fields = {k: v for k, v in raw.items() if k != "measures"}
            entry, _created = model.objects.get_or_create(
                code=fields.pop("code"), defaults={**fields, "sort_order": order}
            )
            if isinstance(entry, Form):
                _seed_measures(entry, raw.get("measures", []))
        counts[slug] = model.objects.count()
    return counts


def _seed_measures(form: Form, measures: list[dict[str, Any]]) -> None:
    for order, raw in enumerate(measures):
        fields = dict(raw)
        FormMeasure.objects.get_or_create(form=form, code=fields.pop("code"), defaults={**fields, "sort_order": order})


def catalogue_model(slug: str) -> type[Entry]:
    try:
        return CATALOGUES[slug]
    except KeyError:
        raise NotFound(_("Không có danh mục “%(slug)s”.") % {"slug": slug}) from None


def _require_admin(actor: User) -> None:
    if not actor.is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc được sửa danh mục."))


def _clean(model: type[Entry], values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: (nfc(v) if isinstance(v, str) else v) for k, v in values.items() if k in EDITABLE_FIELDS}
    if "name" in cleaned and not cleaned["name"]:
        raise ValidationFailed(_("Tên không được để trống."), field="name")
    for name, value in cleaned.items():
        max_length = getattr(model._meta.get_field(name), "max_length", None)
        if max_length and isinstance(value, str) and len(value) > max_length:
            raise ValidationFailed(
                _("Trường “%(field)s” dài %(n)d ký tự, vượt quá %(max)d.")
                % {"field": name, "n": len(value), "max": max_length},
                field=name,
            )
    return cleaned


@transaction.atomic
def catalogue_entry_create(actor: User, slug: str, code: str, values: dict[str, Any]) -> Entry:
    _require_admin(actor)
    model = catalogue_model(slug)
    code = code.strip()
    if not code or len(code) > 60 or not all(ch.isalnum() or ch in "-_" for ch in code) or not code.isascii():
        raise ValidationFailed(
            _("Mã “%(code)s” không hợp lệ: chỉ chữ không dấu, số, “-” và “_”, tối đa 60 ký tự.") % {"code": code},
            field="code",
        )
    if model.objects.filter(code=code).exists():
        raise ValidationFailed(_("Mã “%(code)s” đã tồn tại.") % {"code": code}, field="code")
    return model.objects.create(code=code, **_clean(model, values))


@transaction.atomic
def catalogue_entry_update(actor: User, slug: str, code: str, values: dict[str, Any]) -> Entry:
    """Rename, describe, reorder or retire an entry. The code never changes, so data that uses it stays valid."""
    _require_admin(actor)
    model = catalogue_model(slug)
    entry = model.objects.select_for_update().filter(code=code).first()
    if entry is None:
        raise NotFound(_("Không có mục “%(code)s” trong danh mục.") % {"code": code})
    for name, value in _clean(model, values).items():
        setattr(entry, name, value)
    entry.save()
    return entry
