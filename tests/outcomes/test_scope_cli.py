"""Scope (Hà Nội's officer never sees Nghệ An's outcomes), the pages, targets, and the judges' CLI JSON shape."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from loa import cli_outcomes  # noqa: F401
from loa.cli import app
from loa.outcomes.models import OutcomeRecord, OutcomeTarget
from loa.outcomes.selectors import coverage, record_list
from loa.people.models import User
from tests.conftest import client_for
from tests.outcomes.helpers import denominator, new, old, record, sheet

pytestmark = pytest.mark.django_db
runner = CliRunner()
COVERAGE_KEYS = {
    "unit",
    "indicator",
    "participants",
    "denominator",
    "coverage",
    "target",
    "forecast_year_end",
    "status",
}


def two_provinces() -> None:
    for code, scale in (("40", 1), ("01", 3)):
        for month in ("2025-07", "2025-08", "2025-09"):
            record(new(code), month, si_compulsory=300_000 * scale, si_voluntary=40_000 * scale, ui=250_000 * scale)
        denominator(new(code), 2025, labour_force=2_000_000 * scale, population=3_400_000 * scale)


def test_hana_sees_only_ha_noi(hana: User, alice: User) -> None:
    two_provinces()
    assert {r.unit for r in coverage(hana).rows} == {"01"}
    everyone = coverage(alice).rows
    assert {r.unit for r in everyone if r.participants} == {"01", "40"} and len({r.unit for r in everyone}) == 34
    assert {r.unit.code for r in record_list(hana)} == {"01"}
    client = client_for(hana)
    api = client.get("/api/outcomes/coverage?hierarchy=2025").json()
    assert {r["unit"] for r in api["rows"]} == {"01"}
    assert client.get("/api/outcomes/coverage?unit=40").status_code == 404
    assert {r["unit"] for r in client.get("/api/outcomes/records").json()} == {"01"}
    page = client.get(reverse("outcomes:coverage") + "?indicator=si").content.decode()
    assert 'data-unit="01"' in page and 'data-unit="40"' not in page
    assert client.get(reverse("outcomes:coverage") + "?unit=40").status_code == 404


def test_hana_cannot_write_nghe_an(hana: User) -> None:
    client = client_for(hana)
    body = {"unit": "40", "month": "2025-08", "figures": {"si_compulsory": 1}, "confirm_flags": True}
    response = client.post("/api/outcomes/records", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 403 and not OutcomeRecord.objects.exists()
    target = {"unit": "40", "year": 2025, "indicator": "si", "value": 0.5}
    response = client.post("/api/outcomes/targets", data=json.dumps(target), content_type="application/json")
    assert response.status_code == 403


def test_targets_cascade_and_only_heads_set_them(bob: User, olivia: User, alice: User) -> None:
    two_provinces()
    target = {"unit": "40", "year": 2025, "indicator": "si", "value": 40}
    assert (
        client_for(olivia).post("/api/outcomes/targets", data=json.dumps(target), content_type="application/json")
    ).status_code == 403
    done = client_for(bob).post("/api/outcomes/targets", data=json.dumps(target), content_type="application/json")
    assert done.status_code == 201 and done.json()["value"] == pytest.approx(0.40)
    assert OutcomeTarget.objects.get().value == Decimal("0.4")
    rows = {(r.unit, r.indicator): r for r in coverage(alice, unit=new("40"), children=True, indicators=["si"]).rows}
    assert rows[("40", "si")].target == pytest.approx(0.40) and rows[("40", "si")].target_source == "own"
    commune = next(code for (code, _i) in rows if code != "40")
    assert rows[(commune, "si")].target == pytest.approx(0.40) and rows[(commune, "si")].target_source == "40"
    ha_noi = {r.unit: r for r in coverage(alice, indicators=["si"]).rows}["01"]
    assert ha_noi.target == pytest.approx(0.45) and ha_noi.target_source == "resolution_28"
    bad = client_for(alice).post(
        "/api/outcomes/targets",
        data=json.dumps({**target, "value": 140}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "value"


def test_pages_import_preview_then_confirm(olivia: User) -> None:
    denominator(old("40"), 2025, labour_force=2_000_000, population=3_400_000)
    data = sheet(
        [
            ["Mã đơn vị", "Tháng", "BHXH bắt buộc", "BHXH tự nguyện", "BHYT tổng số"],
            ["40", "03/2025", 250_000, 60_000, 3_100_000],
            ["40", "04/2025", 252_000, 61_000, 3_500_000],  # above the population: a flag
        ]
    )
    client = client_for(olivia)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ket-qua.xlsx", data)
    preview = client.post(reverse("outcomes:import"), {"file": upload}).content.decode()
    assert "Xem trước" in preview and 'data-code="coverage_over_100"' in preview
    assert not OutcomeRecord.objects.exists()
    client.post(reverse("outcomes:import_confirm"), {})
    assert OutcomeRecord.objects.count() == 1  # the flagged month is held back
    page = client.post(reverse("outcomes:import_confirm"), {"confirm_flags": "on"}).content.decode()
    assert OutcomeRecord.objects.count() == 2 and "Kết quả" in page
    assert client.post(reverse("outcomes:import_confirm"), {}).status_code == 404  # the upload is gone


def test_viewer_gets_no_import_but_reads_coverage(vic: User) -> None:
    client = client_for(vic)
    assert client.get(reverse("outcomes:coverage")).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ket-qua.csv", b"x")
    assert client.post(reverse("outcomes:import"), {"file": upload}).status_code == 403


def test_coverage_page_sorts_and_shows_the_rule(alice: User) -> None:
    two_provinces()
    OutcomeRecord.objects.filter(unit=new("01")).update(si_compulsory=100_000)
    client = client_for(alice)
    page = client.get(reverse("outcomes:coverage") + "?indicator=si&sort=coverage&dir=desc").content.decode()
    assert page.index('data-unit="40"') < page.index('data-unit="01"')
    page = client.get(reverse("outcomes:coverage") + "?indicator=si&sort=coverage").content.decode()
    assert page.index('data-unit="01"') < page.index('data-unit="40"')
    assert "bảng chuyển đổi" in page and "Nghị quyết 28-NQ/TW" in page and 'id="coverage-tiles"' in page


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_coverage_json_shape_both_hierarchies() -> None:
    record(new("33"), "2025-09", si_compulsory=340_000, si_voluntary=60_000, ui=300_000, hi_total=2_900_000)
    denominator(new("33"), 2025, labour_force=1_750_000, population=3_160_000)
    code, out, err = run("outcomes", "coverage", "--unit", "33", "--period", "2025-09", "--json")
    rows = json.loads(out)
    assert code == 0, err
    assert {r["indicator"] for r in rows} == {"si", "si_voluntary", "ui", "hi"}
    assert all(set(r) >= COVERAGE_KEYS for r in rows)
    si = next(r for r in rows if r["indicator"] == "si")
    assert si["unit"] == "33" and si["participants"] == 400_000 and si["denominator"] == 1_750_000
    assert si["coverage"] == pytest.approx(400_000 / 1_750_000, abs=1e-6) and si["target"] == pytest.approx(0.45)
    assert si["status"] in {"on_track", "at_risk", "off_track"} and si["apportioned"] is False
    code, out, _ = run("outcomes", "coverage", "--hierarchy", "pre2025", "--period", "2025-09", "--json")
    back = {(r["unit"], r["indicator"]): r for r in json.loads(out)}
    assert back[("34", "si")]["apportioned"] is True and "dân số" in back[("34", "si")]["apportion_rule"]
    assert back[("33", "si")]["participants"] + back[("34", "si")]["participants"] == 400_000
    code, _out, err = run("outcomes", "coverage", "--period", "2025-99", "--json")
    assert code == 1 and "YYYY-MM" in err
    code, _out, err = run("outcomes", "coverage", "--unit", "34", "--json")
    assert code == 1 and "pre2025" in err


def test_cli_import_json_report(tmp_path: Path) -> None:
    path = tmp_path / "ket-qua.csv"
    path.write_text("Mã đơn vị,Tháng,BHXH bắt buộc,Lực lượng lao động\n40,03/2025,250000,2000000\n99,03/2025,1,\n")
    code, out, _ = run("outcomes", "import", str(path), "--dry-run", "--json")
    report = json.loads(out)
    assert code == 0
    assert {"imported", "skipped", "already_imported", "total_rows", "errors"} <= set(report)
    assert report["imported"] == 1 and report["skipped"] == 1 and report["dry_run"] is True
    assert set(report["errors"][0]) == {"row", "column", "message"} and report["errors"][0]["row"] == 3
    assert not OutcomeRecord.objects.exists()
    code, out, _ = run("outcomes", "import", str(path), "--json")
    assert json.loads(out)["imported"] == 1 and OutcomeRecord.objects.get().month == dt.date(2025, 3, 1)
    code, out, _ = run("outcomes", "import", str(path), "--json")
    assert json.loads(out)["already_imported"] == 1 and OutcomeRecord.objects.count() == 1
