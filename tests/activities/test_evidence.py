"""Evidence files: checked by content (not by name), capped in size, stored under MEDIA_ROOT/evidence/, served
only within scope, audited; a bad file rejects the whole save with a message naming it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from loa.activities.models import Activity, ActivityEvidence
from loa.activities.services import activity_create
from loa.people.models import User
from loa.units.selectors import unit_get
from tests.activities.test_ledger import conference
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    book = Workbook()
    book.active.append(["Danh sách người tham dự"])
    book.save(out)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("virus.exe", "MZ")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


ENTRY = {
    "unit_code": "BHXH-40",
    "form": "conference",
    "title": "Hội nghị đối thoại tại xã Hưng Nguyên",
    "start_date": "2025-09-10",
    "attendees": "85",
    "quantity": "1",
    "cost_agency": "3000000",
}


def test_entry_with_evidence_files_stores_them_and_serves_them_in_scope(olivia: User, hana: User, media: Path) -> None:
    client = client_for(olivia)
    files = [
        SimpleUploadedFile("ảnh hội nghị.png", PNG, content_type="image/png"),
        SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/octet-stream"),
        SimpleUploadedFile("to-trinh.docx", docx()),
        SimpleUploadedFile("danh-sach.xlsx", xlsx()),
        SimpleUploadedFile("anh2.JPG", JPG),
        SimpleUploadedFile("anh3.webp", WEBP),
    ]
    response = client.post(reverse("activities:new"), {**ENTRY, "evidence_files": files})
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    stored = list(activity.evidence.order_by("id"))
    assert [e.original_name for e in stored] == [
        "ảnh hội nghị.png",
        "bien-ban.pdf",
        "to-trinh.docx",
        "danh-sach.xlsx",
        "anh2.JPG",
        "anh3.webp",
    ]
    assert stored[0].content_type == "image/png" and stored[1].content_type == "application/pdf"  # sniffed
    assert stored[0].size == len(PNG)
    path = Path(stored[0].file.path)
    assert path.is_relative_to(media / "evidence") and path.read_bytes() == PNG
    assert "ảnh" not in path.name  # stored under a random name

    download = client.get(reverse("activities:evidence", args=[stored[1].pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]
    assert client_for(hana).get(reverse("activities:evidence", args=[stored[1].pk])).status_code == 404
    detail = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "bien-ban.pdf" in detail and reverse("activities:evidence", args=[stored[1].pk]) in detail

    kind = ContentType.objects.get_for_model(ActivityEvidence)
    logged = LogEntry.objects.filter(content_type=kind, action=LogEntry.Action.CREATE)
    assert logged.count() == 6 and logged.first().additional_data["activity_id"] == activity.pk  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("anh.jpg", b"MZ\x90\x00 this is a windows program", "“anh.jpg” không được nhận"),
        ("bao-cao.pdf", PNG, "“bao-cao.pdf”: đuôi tên tệp không khớp nội dung"),
        ("to-trinh.docx", plain_zip(), "“to-trinh.docx” không được nhận"),
        ("trang.html", b"<html><script>alert(1)</script></html>", "“trang.html” không được nhận"),
        ("rong.png", b"", "“rong.png” rỗng"),
    ],
)
def test_wrong_content_is_rejected_naming_the_file_and_nothing_is_saved(
    olivia: User, media: Path, name: str, content: bytes, message: str
) -> None:
    good = SimpleUploadedFile("ok.png", PNG)
    bad = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client_for(olivia).post(reverse("activities:new"), {**ENTRY, "evidence_files": [good, bad]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Activity.objects.exists() and not ActivityEvidence.objects.exists()
    assert not (media / "evidence").exists() or not any((media / "evidence").rglob("*.*"))


def test_too_big_is_rejected_with_the_limit(olivia: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_EVIDENCE_MAX_MB", "1")
    big = SimpleUploadedFile("anh-lon.png", PNG + b"\x00" * (1024 * 1024), content_type="image/png")
    page = client_for(olivia).post(reverse("activities:new"), {**ENTRY, "evidence_files": [big]}).content.decode()
    assert "“anh-lon.png” nặng 1,01 MB, vượt mức tối đa 1 MB cho mỗi tệp minh chứng" in page
    assert not Activity.objects.exists()


def test_api_upload_scope_and_delete(
    olivia: User, hana: User, vic: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    activity = activity_create(olivia, conference(unit_get("BHXH-40")))
    url = f"/api/activities/{activity.pk}/evidence"
    added = client_for(olivia).post(url, {"files": [SimpleUploadedFile("anh.png", PNG)]})
    assert added.status_code == 201 and added.json()[0]["name"] == "anh.png"
    rejected = client_for(olivia).post(url, {"files": [SimpleUploadedFile("anh.png", b"GIF89a...")]})
    assert rejected.status_code == 400 and "anh.png" in rejected.json()["detail"]
    assert client_for(hana).post(url, {"files": [SimpleUploadedFile("x.png", PNG)]}).status_code == 404
    assert client_for(vic).post(url, {"files": [SimpleUploadedFile("x.png", PNG)]}).status_code == 403
    detail = client_for(olivia).get(f"/api/activities/{activity.pk}").json()
    assert [e["name"] for e in detail["evidence"]] == ["anh.png"]

    evidence = ActivityEvidence.objects.get()
    path = Path(evidence.file.path)
    assert client_for(hana).post(reverse("activities:evidence_delete", args=[evidence.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(olivia).post(reverse("activities:evidence_delete", args=[evidence.pk]))
    assert response.status_code == 302 and not ActivityEvidence.objects.exists() and not path.exists()
    kind = ContentType.objects.get_for_model(ActivityEvidence)
    assert LogEntry.objects.filter(content_type=kind, action=LogEntry.Action.DELETE).count() == 1


def test_evidence_of_a_deleted_activity_is_no_longer_served(olivia: User) -> None:
    client = client_for(olivia)
    client.post(reverse("activities:new"), {**ENTRY, "evidence_files": [SimpleUploadedFile("a.png", PNG)]})
    evidence = ActivityEvidence.objects.get()
    assert client.get(reverse("activities:evidence", args=[evidence.pk]), {"inline": "1"}).status_code == 200
    client.post(reverse("activities:delete", args=[evidence.activity_id]))
    assert client.get(reverse("activities:evidence", args=[evidence.pk])).status_code == 404
