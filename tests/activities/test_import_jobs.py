"""The import pages: check first (nothing written), then confirm; big files go through the worker with progress."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from loa.activities.models import Activity
from loa.activities.tasks import import_run, upload_dir
from loa.core.models import Job, JobStatus
from loa.people.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HEADER = ["Hình thức", "Tên hoạt động", "Ngày bắt đầu", "Số người tham dự", "Kinh phí (đồng)"]


def workbook(rows: int, bad: int = 0) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Hoạt động")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(
            ["Hội nghị", f"Hội nghị đối thoại BHXH tự nguyện thôn {i}", "12/03/2025", 40 + i % 50, "1.500.000"]
        )
    for i in range(bad):
        sheet.append(["Hội nghị", f"Hội nghị lỗi {i}", "12/03/2025", 40, "-5"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: object, data: bytes, unit: str = "BHXH-40") -> object:
    file = SimpleUploadedFile("thang-3.xlsx", data)
    return client.post(reverse("activities:import"), {"unit_code": unit, "file": file})  # type: ignore[attr-defined]


def test_check_then_confirm_imports_valid_rows_once(olivia: User) -> None:
    client = client_for(olivia)
    response = upload(client, workbook(30, bad=2))
    assert response.status_code == 302
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    page = client.get(response["Location"]).content.decode()
    assert "Xem trước" in page and "hợp lệ 30" in page and "Dòng 33" in page  # the negative cost is named
    assert Activity.objects.filter(unit__code="BHXH-40").count() == 0  # checking writes nothing
    confirm = client.post(reverse("activities:import_confirm", args=[job.pk]))
    result = client.get(confirm["Location"]).content.decode()
    assert "Đã nhập 30 dòng" in result
    imported = Activity.objects.filter(title__startswith="Hội nghị đối thoại BHXH tự nguyện thôn")
    assert imported.count() == 30 and imported.filter(cost_vnd=1_500_000).count() == 30
    again = client.post(reverse("activities:import_confirm", args=[job.pk]))
    assert again.status_code == 404  # the stored upload is gone once imported: no second import
    assert imported.count() == 30


def test_imported_rows_are_audited(olivia: User) -> None:
    from auditlog.models import LogEntry

    client = client_for(olivia)
    job_url = upload(client, workbook(3))["Location"]
    job = Job.objects.get(pk=int(job_url.rstrip("/").split("/")[-1]))
    client.post(reverse("activities:import_confirm", args=[job.pk]))
    activity = Activity.objects.get(title="Hội nghị đối thoại BHXH tự nguyện thôn 2")
    entry = LogEntry.objects.get(object_pk=str(activity.pk), content_type__model="activity")
    assert entry.actor == olivia and entry.additional_data["unit_id"] == activity.unit_id
    assert entry.changes["title"][1] == activity.title


def test_another_users_job_is_not_visible(olivia: User, hana: User) -> None:
    job_url = upload(client_for(olivia), workbook(2))["Location"]
    assert client_for(hana).get(job_url).status_code == 404
    job_id = int(job_url.rstrip("/").split("/")[-1])
    assert client_for(hana).post(reverse("activities:import_confirm", args=[job_id])).status_code == 404
    assert not Activity.objects.filter(title__startswith="Hội nghị đối thoại BHXH tự nguyện thôn").exists()


@override_settings(LOA_IMPORT_INLINE_KB=0)
def test_large_file_goes_to_the_worker_and_shows_progress(olivia: User) -> None:
    client = client_for(olivia)
    job_url = upload(client, workbook(2500))["Location"]
    job = Job.objects.get(pk=int(job_url.rstrip("/").split("/")[-1]))
    assert job.status == JobStatus.QUEUED
    waiting = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "loa worker" in waiting  # the page polls while it waits
    queued = DBTaskResult.objects.get(status="READY")
    assert queued.args_kwargs["args"] == [job.pk]  # what `loa worker` will pick up
    import_run(job.pk)  # the worker's body (db_worker itself closes the test's PostgreSQL connection)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["imported"] == 2500 and job.result["dry_run"]
    assert job.stage == "check" and job.done == job.total == 2500  # progress was recorded as rows were read
    finished = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
    assert "every 1s" not in finished and "confirm-import" in finished
    assert not Activity.objects.filter(title__startswith="Hội nghị đối thoại").exists()
    confirm = client.post(reverse("activities:import_confirm", args=[job.pk]))
    import_run(int(confirm["Location"].rstrip("/").split("/")[-1]))
    second = Job.objects.get(pk=int(confirm["Location"].rstrip("/").split("/")[-1]))
    assert second.status == JobStatus.DONE and second.result["imported"] == 2500
    assert Activity.objects.filter(title__startswith="Hội nghị đối thoại").count() == 2500


def test_file_that_is_not_a_sheet_fails_clearly_and_writes_nothing(olivia: User) -> None:
    client = client_for(olivia)
    job_url = upload(client, b"\x00garbage" * 1000)["Location"]
    page = client.get(job_url).content.decode()
    assert "thang-3.xlsx" in page and "confirm-import" not in page
    job = Job.objects.get(pk=int(job_url.rstrip("/").split("/")[-1]))
    assert job.result["errors"] and "thang-3.xlsx" in job.result["errors"][0]["message"]


def test_viewer_cannot_import(vic: User) -> None:
    response = upload(client_for(vic), workbook(2))
    assert response.status_code == 403
    assert not Activity.objects.filter(title__startswith="Hội nghị đối thoại").exists()


def test_officer_cannot_import_into_another_province(hana: User) -> None:
    before = set(upload_dir().glob("*"))
    response = upload(client_for(hana), workbook(2), unit="BHXH-40")
    assert response.status_code == 403 and "ngoài phạm vi" in response.content.decode()
    assert not Job.objects.exists() and set(upload_dir().glob("*")) == before


def test_unconfirmed_uploads_are_pruned_after_a_day(olivia: User) -> None:
    import os
    import time

    stale = upload_dir() / ("0" * 32)
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"old")
    day_ago = time.time() - 25 * 3600
    os.utime(stale, (day_ago, day_ago))
    upload(client_for(olivia), workbook(1))
    assert not stale.exists()
