"""Shared fixtures: the real schema built by migrations, the shipped units and catalogues, and personas.

Personas (healthchecks-style): Alice is the national administrator; Bob heads the Nghệ An province office;
Olivia is an officer there; Dana an officer of one of its base (district-level) offices; Vic a viewer in
Nghệ An; Hana an officer in Hà Nội, who must never see or change Nghệ An's data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from loa.answer.serving import engine_retrain
from loa.core.bootstrap import bootstrap
from loa.people.models import Role, User
from loa.units.models import Level, Unit, Version

PASSWORD = "Mat-khau-rat-manh-2025"


@pytest.fixture(scope="session", autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Engine files, uploads and exports of a test run go to a temporary folder, not the checkout's var/."""
    import os

    from django.conf import settings

    folder = tmp_path_factory.mktemp("loa-data")
    os.environ["LOA_DATA_DIR"] = str(folder)
    settings.DATA_DIR = folder
    settings.MEDIA_ROOT = folder / "media"


@pytest.fixture(scope="session")
def django_db_setup(
    _private_data_dir: None, django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[None]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        bootstrap(migrate=False)
        engine_retrain()  # one assistant for the whole session (committed outside the tests' transactions)
    yield


def office(code: str) -> Unit:
    return Unit.objects.get(code=code, level=Level.OFFICE, version=Version.V2025)


def make_user(username: str, role: str, unit: Unit | None) -> User:
    user = User(username=username, role=role, unit=unit, full_name=username.title())
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def alice(db: None) -> User:
    return make_user("alice", Role.NATIONAL_ADMIN, None)


@pytest.fixture
def bob(db: None) -> User:
    return make_user("bob", Role.UNIT_HEAD, office("BHXH-40"))


@pytest.fixture
def olivia(db: None) -> User:
    return make_user("olivia", Role.UNIT_OFFICER, office("BHXH-40"))


@pytest.fixture
def dana(db: None) -> User:
    base = Unit.objects.filter(parent=office("BHXH-40")).order_by("code").first()
    return make_user("dana", Role.UNIT_OFFICER, base)


@pytest.fixture
def vic(db: None) -> User:
    return make_user("vic", Role.VIEWER, office("BHXH-40"))


@pytest.fixture
def hana(db: None) -> User:
    return make_user("hana", Role.UNIT_OFFICER, office("BHXH-01"))


@pytest.fixture
def hanoi_head(db: None) -> User:
    return make_user("hanoi_head", Role.UNIT_HEAD, office("BHXH-01"))


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_scope_cache() -> Iterator[None]:
    """Each test's rollback can reuse unit ids, so cached scopes (loa/people/scope.py) never cross tests."""
    from loa.people import scope

    scope.forget_closures()
    yield
