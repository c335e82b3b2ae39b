"""An audit entry's changes as rows (field, before, after) for the history tables.

Read in Python, not with `changes_dict.items` in a template: a model with a field named "items" (listen's
Source) made the template read that field instead of the dict's items. Many-to-many changes are stored as
{"type": "m2m", "operation", "objects"} and are shown as the operation and the objects.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def audit_changes(entry: Any) -> list[tuple[str, Any, Any]]:
    rows: list[tuple[str, Any, Any]] = []
    for field, change in (getattr(entry, "changes_dict", None) or {}).items():
        if isinstance(change, dict) and change.get("type") == "m2m":
            objects = ", ".join(str(o) for o in change.get("objects") or [])
            before, after = ("", objects) if change.get("operation") != "delete" else (objects, "")
            rows.append((str(field), before, after))
        elif isinstance(change, list | tuple) and len(change) == 2:
            rows.append((str(field), change[0], change[1]))
        else:
            rows.append((str(field), "", change))
    return rows
