"""Personas prove scope on every route: pages and API, read and write.

Units and catalogues are shared reference data (every signed-in user reads them; only the national
administrator changes them). Users and the audit trail are unit-scoped: a province's staff never read or
change another province's.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from loa.people.models import ApiToken, User
from loa.people.services import token_create
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

# Every named route with a sample of its arguments; test_every_route_is_covered keeps this list complete.
PAGES = {
    "home": {},
    "units:browse": {},
    "units:detail": {"code": "40"},
    "catalogues:index": {},
    "catalogues:entries": {"slug": "forms"},
    "catalogues:entry_new": {"slug": "topics"},
    "catalogues:entry_edit": {"slug": "topics", "code": "pension"},
    "people:users": {},
    "people:user_new": {},
    "people:user_edit": {"user_id": 0},
    "people:user_password": {"user_id": 0},
    "people:tokens": {},
    "people:token_revoke": {"token_id": 0},
    "audit:list": {},
    "answer:agent": {},
    "answer:inbox": {},
    "answer:ticket": {"ticket_id": 0},
    "answer:bank": {},
    "answer:entry": {"key": "A-001"},
    "answer:entry_status": {"key": "A-001"},
    "answer:retrain": {},
    "answer:analytics": {},
    "answer:laws": {},
    "activities:index": {},
    "activities:new": {},
    "activities:delete": {"activity_id": 0},
    "activities:detail": {"activity_id": 0},
    "activities:edit": {"activity_id": 0},
    "activities:copy": {"activity_id": 0},
    "activities:evidence": {"evidence_id": 0},
    "activities:evidence_delete": {"evidence_id": 0},
    "activities:completeness": {},
    "activities:import": {},
    "activities:import_job": {"job_id": 0},
    "activities:import_confirm": {"job_id": 0},
    "activities:template": {},
    "activities:reports": {},
    "activities:report_action": {"action": "submit"},
    "activities:tally": {},
    "dashboards:index": {},
    "dashboards:report": {},
    "plans:index": {},
    "plans:new": {},
    "plans:detail": {"plan_id": 0},
    "plans:export": {"plan_id": 0},
    "plans:target_save": {"plan_id": 0},
    "plans:task_add": {"plan_id": 0},
    "plans:status": {"plan_id": 0},
    "plans:split": {"target_id": 0},
    "plans:target_delete": {"target_id": 0},
    "plans:task_delete": {"task_id": 0},
    "outcomes:coverage": {},
    "outcomes:import": {},
    "outcomes:import_confirm": {},
    "outcomes:template": {},
    "outcomes:unit": {"code": "40"},  # scoped: tests/outcomes/test_dashboards.py
    "outcomes:ranking": {},
    "outcomes:scheme": {},
    "outcomes:checks": {},
    "outcomes:ranking_xlsx": {},
    "outcomes:ranking_pdf": {},
    "listen:items": {},
    "listen:sources": {},
    "listen:query_save": {},
    "listen:item": {"item_id": 0},
    "listen:item_label": {"item_id": 0},
    "listen:assign": {"item_id": 0},
    "listen:review": {},
    "listen:assignments": {},
    "listen:assignment_update": {"assignment_id": 0},
    "listen:briefing": {},
    "listen:briefing_pdf": {},
    "listen:versions": {},
    "listen:versions_retrain": {},
    "listen:version_activate": {"version_id": 0},
}
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "answer:widget_js",
    "answer:widget_demo",
    "answer:webhook_zalo",
    "answer:webhook_facebook",
}  # webhooks are authenticated by signature: tests/answer/test_channels.py
API = [
    ("get", "/api/units/"),
    ("get", "/api/units/{code}"),
    ("get", "/api/catalogues/forms"),
    ("get", "/api/catalogues/{slug}"),
    ("post", "/api/catalogues/{slug}"),
    ("patch", "/api/catalogues/{slug}/{code}"),
    ("get", "/api/users/me"),
    ("get", "/api/users/"),
    ("post", "/api/users/"),
    ("get", "/api/users/{user_id}"),
    ("patch", "/api/users/{user_id}"),
    ("post", "/api/users/{user_id}/password"),
    ("get", "/api/audit/"),
    ("get", "/api/activities/"),
    ("post", "/api/activities/"),
    ("get", "/api/activities/{activity_id}"),
    ("patch", "/api/activities/{activity_id}"),
    ("delete", "/api/activities/{activity_id}"),
    ("post", "/api/activities/{activity_id}/copy"),
    ("post", "/api/activities/{activity_id}/evidence"),
    ("get", "/api/activities/tally"),
    ("get", "/api/activities/reports"),
    ("post", "/api/activities/reports/submit"),
    ("post", "/api/activities/reports/{report_id}/approve"),
    ("post", "/api/activities/reports/{report_id}/return"),
    ("post", "/api/activities/reports/{report_id}/reopen"),
    ("get", "/api/activities/completeness"),
    ("post", "/api/answer/suggest"),
    ("get", "/api/answer/tickets"),
    ("post", "/api/answer/tickets/{ticket_id}/answer"),
    ("get", "/api/answer/bank"),
    ("get", "/api/answer/bank/export"),
    ("post", "/api/answer/bank/import"),
    ("post", "/api/answer/retrain"),
    ("get", "/api/plans/"),
    ("get", "/api/plans/{plan_id}"),
    ("post", "/api/plans/"),
    ("post", "/api/plans/{plan_id}/targets"),
    ("post", "/api/plans/targets/{target_id}/split"),
    ("get", "/api/outcomes/coverage"),
    ("get", "/api/outcomes/records"),
    ("post", "/api/outcomes/records"),
    ("post", "/api/outcomes/import"),
    ("post", "/api/outcomes/targets"),
    ("get", "/api/outcomes/ranking"),
    ("get", "/api/outcomes/schemes"),
    ("post", "/api/outcomes/schemes"),
    ("get", "/api/outcomes/checks"),
    ("get", "/api/listen/items"),
    ("post", "/api/listen/items"),
    ("get", "/api/listen/sources"),
    ("post", "/api/listen/sources"),
    ("get", "/api/listen/queries"),
    ("post", "/api/listen/queries"),
    ("patch", "/api/listen/items/{item_id}/labels"),
    ("get", "/api/listen/assignments"),
    ("post", "/api/listen/items/{item_id}/assignment"),
    ("patch", "/api/listen/assignments/{assignment_id}"),
    ("get", "/api/listen/trends"),
]
PUBLIC_API = [("post", "/api/answer/ask")]  # the citizens' endpoint: tests/answer/test_channels.py


def _api_path(path: str, user: User) -> str:
    code = "pension" if path.startswith("/api/catalogues") else "40"
    path = path.replace("{code}", code).replace("{slug}", "topics").replace("{user_id}", str(user.pk))
    path = path.replace("{plan_id}", "1").replace("{target_id}", "1")
    path = path.replace("{activity_id}", "1").replace("{report_id}", "1")
    path = path.replace("{item_id}", "1").replace("{assignment_id}", "1")
    return path.replace("{ticket_id}", "1")


def _names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) in ("admin/", "api/"):
                continue
            names |= _names(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
        elif p.name:
            names.add(prefix + p.name)
    return names


def test_every_route_is_covered_by_these_tests() -> None:
    from loa.api import api

    assert _names(get_resolver().url_patterns) == set(PAGES) | PUBLIC
    schema = api.get_openapi_schema()
    declared = {(method, "/api" + path.removeprefix("/api")) for path, ops in schema["paths"].items() for method in ops}
    assert declared == set(API) | set(PUBLIC_API)


def _url(name: str, kwargs: dict[str, object], target: User) -> str:
    return reverse(name, kwargs={k: (target.pk if k == "user_id" else v) for k, v in kwargs.items()})


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_is_sent_to_login_on_every_page(name: str, olivia: User) -> None:
    response = Client().get(_url(name, PAGES[name], olivia))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("method", "path"), API)
def test_anonymous_gets_401_on_every_api_route(method: str, path: str, olivia: User) -> None:
    client, url = Client(), _api_path(path, olivia)
    response = (
        client.get(url) if method == "get" else getattr(client, method)(url, data="{}", content_type="application/json")
    )
    assert response.status_code == 401
    assert "đăng nhập" in response.json()["detail"]


READ_ALL = [
    "home",
    "units:browse",
    "units:detail",
    "catalogues:index",
    "catalogues:entries",
    "people:tokens",
    "audit:list",
    "answer:agent",
    "answer:inbox",
    "answer:bank",
    "answer:entry",
    "answer:analytics",
    "answer:laws",
    "activities:index",
    "activities:new",
    "activities:import",
    "activities:template",
    "activities:reports",
    "activities:tally",
    "activities:completeness",
    "dashboards:index",
    "dashboards:report",
    "plans:index",
    "outcomes:coverage",
    "outcomes:import",
    "outcomes:template",
    "outcomes:ranking",
    "outcomes:checks",
    "outcomes:ranking_xlsx",
    "outcomes:ranking_pdf",
    "listen:items",
    "listen:sources",
    "listen:review",
    "listen:assignments",
    "listen:briefing",
    "listen:briefing_pdf",
    "listen:versions",
]


@pytest.mark.parametrize("name", READ_ALL)
def test_every_role_reads_shared_pages(name: str, alice: User, bob: User, olivia: User, vic: User, hana: User) -> None:
    for user in (alice, bob, olivia, vic, hana):
        assert client_for(user).get(_url(name, PAGES[name], olivia)).status_code == 200, user.username


# --- users: the unit-scoped data of the foundation -------------------------------------------------------


def test_other_province_head_cannot_read_or_change_our_users_pages(hanoi_head: User, olivia: User) -> None:
    client = client_for(hanoi_head)
    listing = client.get(reverse("people:users")).content.decode()
    assert "olivia" not in listing
    assert client.get(reverse("people:user_edit", args=[olivia.pk])).status_code == 404
    assert (
        client.post(
            reverse("people:user_edit", args=[olivia.pk]), {"role": "viewer", "unit_code": "BHXH-01", "full_name": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("people:user_password", args=[olivia.pk]), {"password": "Khac-hoan-toan-99"}).status_code
        == 404
    )
    olivia.refresh_from_db()
    assert olivia.role == "unit_officer" and olivia.unit.code == "BHXH-40" and olivia.check_password(PASSWORD)


def test_other_province_head_cannot_read_or_change_our_users_api(hanoi_head: User, olivia: User) -> None:
    client = client_for(hanoi_head)
    assert "olivia" not in [u["username"] for u in client.get("/api/users/").json()]
    assert client.get(f"/api/users/{olivia.pk}").status_code == 404
    patch = client.patch(
        f"/api/users/{olivia.pk}",
        data=json.dumps({"role": "viewer", "unit": "BHXH-01"}),
        content_type="application/json",
    )
    assert patch.status_code == 404
    reset = client.post(
        f"/api/users/{olivia.pk}/password",
        data=json.dumps({"password": "Khac-hoan-toan-99"}),
        content_type="application/json",
    )
    assert reset.status_code == 404
    olivia.refresh_from_db()
    assert olivia.role == "unit_officer" and olivia.check_password(PASSWORD)


def test_head_cannot_create_a_user_in_another_province(hanoi_head: User) -> None:
    client = client_for(hanoi_head)
    page = client.post(
        reverse("people:user_new"),
        {"username": "x1", "role": "viewer", "unit_code": "BHXH-40", "password": "Mot-mat-khau-dai-1"},
    )
    assert "ngoài phạm vi" in page.content.decode()
    api = client.post(
        "/api/users/",
        data=json.dumps({"username": "x2", "role": "viewer", "unit": "BHXH-40", "password": "Mot-mat-khau-dai-1"}),
        content_type="application/json",
    )
    assert api.status_code == 403
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


def test_head_manages_own_subtree_including_base_offices(bob: User, dana: User) -> None:
    client = client_for(bob)
    assert "dana" in client.get(reverse("people:users")).content.decode()
    response = client.post(reverse("people:user_password", args=[dana.pk]), {"password": "Mat-khau-moi-cua-dana-7"})
    assert response.status_code == 302
    dana.refresh_from_db()
    assert dana.check_password("Mat-khau-moi-cua-dana-7")


def test_head_cannot_grant_national_admin(bob: User, olivia: User) -> None:
    response = client_for(bob).patch(
        f"/api/users/{olivia.pk}",
        data=json.dumps({"role": "national_admin", "unit": "BHXH-40"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    olivia.refresh_from_db()
    assert olivia.role == "unit_officer"


@pytest.mark.parametrize("persona", ["olivia", "vic", "hana", "dana"])
def test_officers_and_viewers_cannot_manage_users(persona: str, request: pytest.FixtureRequest, bob: User) -> None:
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    for name in ("people:users", "people:user_new", "people:user_edit", "people:user_password"):
        assert client.get(_url(name, PAGES[name], bob)).status_code == 403, name
    assert client.get("/api/users/").status_code == 403
    assert client.get(f"/api/users/{bob.pk}").status_code == 403
    assert client.get("/api/users/me").json()["username"] == user.username
    assert (
        client.post(
            "/api/users/",
            data=json.dumps({"username": "z", "role": "viewer", "unit": "BHXH-40", "password": "Mot-mat-khau-dai-1"}),
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/users/{bob.pk}/password",
            data=json.dumps({"password": "Khac-hoan-toan-99"}),
            content_type="application/json",
        ).status_code
        == 403
    )
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


# --- catalogues and units: shared reference data, changed only nationally ---------------------------------


@pytest.mark.parametrize("persona", ["bob", "olivia", "vic", "hana"])
def test_only_national_admin_changes_catalogues(persona: str, request: pytest.FixtureRequest) -> None:
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("catalogues:entry_new", args=["topics"])).status_code == 403
    assert client.post(reverse("catalogues:entry_edit", args=["topics", "pension"]), {"name": "X"}).status_code == 403
    api_create = client.post(
        "/api/catalogues/topics", data=json.dumps({"code": "new", "name": "Mới"}), content_type="application/json"
    )
    api_patch = client.patch(
        "/api/catalogues/topics/pension", data=json.dumps({"name": "X"}), content_type="application/json"
    )
    assert (api_create.status_code, api_patch.status_code) == (403, 403)
    from loa.catalogues.models import Topic

    assert Topic.objects.get(code="pension").name == "Lương hưu" and not Topic.objects.filter(code="new").exists()


def test_national_admin_changes_catalogues(alice: User) -> None:
    client = client_for(alice)
    response = client.patch(
        "/api/catalogues/topics/pension", data=json.dumps({"name": "Chế độ hưu trí"}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["name"] == "Chế độ hưu trí"


# --- audit: scoped ---------------------------------------------------------------------------------------


def test_audit_is_scoped(alice: User, bob: User, hanoi_head: User, olivia: User) -> None:
    client_for(bob).post(
        reverse("people:user_edit", args=[olivia.pk]),
        {"role": "unit_officer", "unit_code": "BHXH-40", "full_name": "Olivia Nguyễn", "is_active": "on"},
    )
    mine = [e["object_repr"] for e in client_for(bob).get("/api/audit/?model=user").json()]
    theirs = [e["object_repr"] for e in client_for(hanoi_head).get("/api/audit/?model=user").json()]
    national = [e["object_repr"] for e in client_for(alice).get("/api/audit/?model=user").json()]
    assert "Olivia Nguyễn" in mine and "Olivia Nguyễn" in national
    assert "Olivia Nguyễn" not in theirs
    assert "Olivia Nguyễn" not in client_for(hanoi_head).get(reverse("audit:list")).content.decode()


# --- tokens ----------------------------------------------------------------------------------------------


def test_api_token_authenticates_and_is_scoped_and_revocable(hanoi_head: User, olivia: User) -> None:
    token, raw = token_create(hanoi_head, "tích hợp")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/users/me", **headers).json()["username"] == "hanoi_head"
    assert client.get(f"/api/users/{olivia.pk}", **headers).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).digest != raw  # only a hash is stored
    client_for(hanoi_head).post(reverse("people:token_revoke", args=[token.pk]))
    assert client.get("/api/users/me", **headers).status_code == 401


def test_someone_elses_token_cannot_be_revoked(hana: User, olivia: User) -> None:
    token, _raw = token_create(olivia, "của olivia")
    response = client_for(hana).post(reverse("people:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert not ApiToken.objects.get(pk=token.pk).revoked
