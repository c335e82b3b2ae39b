"""One idempotent set-up step shared by `loa init`, `loa demo` and the tests' fixtures."""

from __future__ import annotations

from django.core.management import call_command

from loa.answer.services import bank_load_seed, laws_load_seed
from loa.catalogues.services import catalogues_seed
from loa.units.services import units_load_seed


def bootstrap(*, migrate: bool = True) -> dict[str, object]:
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    return {
        "units": units_load_seed(),
        "catalogues": catalogues_seed(),
        "law_articles": laws_load_seed(),
        "bank_entries": bank_load_seed(),
    }
