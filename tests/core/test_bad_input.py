"""Bad input gets a clear Vietnamese message and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse

from loa.env import SettingsError, database_config, env_bool, env_int
from loa.people.models import User
from tests.conftest import PASSWORD, client_for


@pytest.mark.parametrize(
    ("reader", "name", "value", "message"),
    [
        (env_bool, "DEBUG", "maybe", "LOA_DEBUG='maybe' không hợp lệ"),
        (env_int, "LOGIN_FAILURE_LIMIT", "five", "phải là số nguyên"),
        (env_int, "LOGIN_FAILURE_LIMIT", "0", "phải ≥ 1"),
    ],
)
def test_malformed_setting_is_named_in_the_error(reader: object, name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        reader(
            name,
            5 if reader is env_int else False,
            {f"LOA_{name}": value},
            **({"minimum": 1} if reader is env_int else {}),
        )  # type: ignore[operator]


def test_unsupported_database_url_is_rejected() -> None:
    with pytest.raises(SettingsError, match="LOA_DATABASE_URL='mysql://x/y' không hợp lệ"):
        database_config("mysql://x/y")


def test_cli_stops_at_start_up_on_a_bad_setting() -> None:
    env = {**os.environ, "LOA_DEBUG": "maybe"}
    result = subprocess.run(
        [sys.executable, "-m", "loa", "units", "list", "--level", "province"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Lỗi cấu hình" in result.stderr and "LOA_DEBUG" in result.stderr
    assert result.stdout == ""


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(olivia: User) -> None:
    assert identify_hasher(olivia.password).algorithm == "argon2"


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_message_and_no_session(olivia: User) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "olivia", "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_even_with_the_right_password(olivia: User) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "olivia", "password": "sai-mat-khau"})
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 429
    assert "tạm thời bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_right_password_logs_in(olivia: User) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(olivia.pk)


@pytest.mark.django_db
def test_forged_csrf_token_is_refused_and_changes_nothing(alice: User, olivia: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("people:user_edit", args=[olivia.pk]))
    response = client.post(
        reverse("people:user_edit", args=[olivia.pk]),
        {"csrfmiddlewaretoken": "forged" * 8, "role": "viewer", "unit_code": "BHXH-40"},
    )
    assert response.status_code == 403
    assert "CSRF" in response.content.decode() and "Không có dữ liệu nào bị thay đổi" in response.content.decode()
    olivia.refresh_from_db()
    assert olivia.role == "unit_officer"


@pytest.mark.django_db
def test_session_api_write_without_csrf_is_refused(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.patch("/api/catalogues/topics/pension", data='{"name": "X"}', content_type="application/json")
    assert response.status_code == 403
    from loa.catalogues.models import Topic

    assert Topic.objects.get(code="pension").name == "Lương hưu"


@pytest.mark.django_db
def test_over_long_field_is_refused_by_page_and_api(alice: User, olivia: User) -> None:
    client = client_for(alice)
    page = client.post(
        reverse("people:user_edit", args=[olivia.pk]),
        {"role": "unit_officer", "unit_code": "BHXH-40", "full_name": "x" * 151, "is_active": "on"},
    )
    assert page.status_code == 200 and "tối đa 150 kí tự (hiện có 151)" in page.content.decode()
    api = client.patch(
        "/api/catalogues/topics/pension", data='{"name": "' + "y" * 201 + '"}', content_type="application/json"
    )
    assert api.status_code == 400 and "vượt quá 200" in api.json()["detail"]
    olivia.refresh_from_db()
    assert olivia.full_name == "Olivia"
    from loa.catalogues.models import Topic

    assert Topic.objects.get(code="pension").name == "Lương hưu"


@pytest.mark.django_db
def test_unknown_unit_code_is_named_in_pages_api_and_forms(alice: User, olivia: User) -> None:
    client = client_for(alice)
    page = client.get(reverse("units:detail", args=["ZZZ"]))
    assert page.status_code == 404 and "Không có đơn vị nào mang mã “ZZZ”" in page.content.decode()
    api = client.get("/api/units/ZZZ")
    assert api.status_code == 404 and "ZZZ" in api.json()["detail"]
    form = client.post(
        reverse("people:user_edit", args=[olivia.pk]),
        {"role": "unit_officer", "unit_code": "ZZZ", "full_name": "O", "is_active": "on"},
    )
    assert "Không có đơn vị nào mang mã “ZZZ”" in form.content.decode()
    olivia.refresh_from_db()
    assert olivia.unit.code == "BHXH-40"


@pytest.mark.django_db
def test_bad_date_is_explained(alice: User) -> None:
    response = client_for(alice).get("/api/units/40?at=2025-13-01")
    assert response.status_code == 400 and "YYYY-MM-DD" in response.json()["detail"]


@pytest.mark.django_db
def test_english_is_the_second_locale(olivia: User) -> None:
    client = client_for(olivia)
    assert "Trang chủ" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Home" in page and "Trang chủ" not in page


@pytest.mark.django_db
def test_an_english_browser_still_gets_vietnamese_until_the_user_switches(olivia: User) -> None:
    client = client_for(olivia)
    assert "Trang chủ" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
