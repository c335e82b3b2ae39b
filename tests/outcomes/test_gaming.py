"""Checks against gaming: activities piled into a month's last days, entries after a month was closed, edits
after a report's approval, outcomes that do not reconcile with the month before. Listed with their figures,
within the caller's scope (Hà Nội's staff never see Nghệ An's findings); page, API and CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from loa import cli_outcomes  # noqa: F401
from loa.activities.models import Activity
from loa.activities.services import (
    activity_create,
    activity_input,
    activity_update,
    report_approve,
    report_reopen,
    report_return,
    report_submit,
)
from loa.cli import app
from loa.outcomes.gaming import SPIKE_MIN, gaming_checks
from loa.people.models import User
from tests.activities.test_ledger import conference
from tests.conftest import client_for, office
from tests.outcomes.helpers import new, record

pytestmark = pytest.mark.django_db


def add(user: User, title: str, day: dt.date, unit_code: str = "BHXH-40") -> Activity:
    return activity_create(
        user, dataclasses.replace(conference(office(unit_code), title=title, day=day), confirm_duplicate=True)
    )


def of_kind(findings: list, kind: str) -> list:
    return [f for f in findings if f.kind == kind]


# --- spikes -----------------------------------------------------------------------------------------------------


def spiky_year(olivia: User) -> None:
    """Nghệ An's office: three conferences a month from July, twelve on 29–31 October, two on 29 September."""
    for month in range(7, 12):
        for day in (3, 10, 17):
            add(olivia, f"Hội nghị thường kỳ {month}-{day}", dt.date(2025, month, day))
    for i in range(12):
        add(olivia, f"Hội nghị cuối tháng {i}", dt.date(2025, 10, 29 + i % 3))
    for i in range(2):
        add(olivia, f"Hội nghị cuối tháng chín {i}", dt.date(2025, 9, 29))


def test_spike_before_the_month_closes(olivia: User) -> None:
    spiky_year(olivia)
    spikes = of_kind(gaming_checks(olivia, year=2025).findings, "spike_period_end")
    assert [(f.unit, f.period) for f in spikes] == [("BHXH-40", "2025-10")]  # September's two stay below the floor
    evidence = spikes[0].evidence
    # Usual level: 15 rows outside the windows over July–December less 3 days a month = 184 − 18 = 166 days.
    assert evidence["activities_in_window"] == 12 >= SPIKE_MIN
    assert (evidence["activities_in_year"], evidence["activities_in_all_windows"]) == (29, 14)
    assert evidence["usual_per_day"] == pytest.approx(15 / 166, abs=1e-3)
    assert evidence["expected_in_window"] == pytest.approx(3 * 15 / 166, abs=0.01)
    assert (evidence["window_from"], evidence["window_to"]) == ("2025-10-29", "2025-10-31")
    assert "from=2025-10-29" in spikes[0].links[0]["url"]


def test_a_unit_that_always_works_at_month_end_is_its_own_usual_level(olivia: User) -> None:
    """Ten rows in the last days of a month are not a spike for a unit that files thirty a week."""
    for i in range(120):
        add(olivia, f"Tin bài {i}", dt.date(2025, 10, 1 + i % 28))
    for i in range(10):
        add(olivia, f"Cuối tháng {i}", dt.date(2025, 10, 29 + i % 3))
    assert not of_kind(gaming_checks(olivia, year=2025).findings, "spike_period_end")


# --- the month workflow: late entries and edits after approval --------------------------------------------------


@pytest.fixture
def workflow(olivia: User, alice: User) -> dict[str, Activity]:
    """September: sent, returned, one more conference added, sent again, approved, reopened, one edited.
    October: sent and approved, then a row changed behind the lock (straight in the database)."""
    nghe_an = office("BHXH-40")
    first = add(olivia, "Hội nghị tháng chín A", dt.date(2025, 9, 5))
    add(olivia, "Hội nghị tháng chín B", dt.date(2025, 9, 10))
    report = report_submit(olivia, nghe_an, dt.date(2025, 9, 1))
    report_return(alice, report.pk, "Thiếu hội nghị ở xã")
    late = add(olivia, "Hội nghị bổ sung", dt.date(2025, 9, 20))
    report_submit(olivia, nghe_an, dt.date(2025, 9, 1))
    report_approve(alice, report.pk)
    report_reopen(alice, report.pk, "Bổ sung số người tham dự")
    data = activity_input(first)
    data.title = "Hội nghị tháng chín A (sửa)"
    activity_update(olivia, first.pk, data)
    october = add(olivia, "Hội nghị tháng mười", dt.date(2025, 10, 8))
    report_approve(alice, report_submit(olivia, nghe_an, dt.date(2025, 10, 1)).pk)
    october.title = "Sửa khi đã khóa"
    october.save()
    return {"first": first, "late": late, "october": october}


def test_entry_after_the_month_was_closed(olivia: User, workflow: dict[str, Activity]) -> None:
    late = of_kind(gaming_checks(olivia, year=2025).findings, "late_entry")
    assert [(f.unit, f.period) for f in late] == [("BHXH-40", "2025-09")]
    evidence = late[0].evidence
    assert [a["id"] for a in evidence["activities"]] == [workflow["late"].pk]  # A and B came before the report
    assert evidence["activities_entered_late"] == 1 and evidence["due_date"] == "2025-10-05"
    assert evidence["activities"][0]["url"] == reverse("activities:detail", args=[workflow["late"].pk])


def test_edits_after_approval(olivia: User, workflow: dict[str, Activity]) -> None:
    edits = {f.period: f for f in of_kind(gaming_checks(olivia, year=2025).findings, "edited_after_approval")}
    assert set(edits) == {"2025-09", "2025-10"}
    september = edits["2025-09"].evidence
    assert [a["id"] for a in september["activities"]] == [workflow["first"].pk]
    assert september["reopened"][0]["reason"] == "Bổ sung số người tham dự"
    assert september["edited_while_locked"] is False
    changed = september["activities"][0]["changes"]
    assert {c["action"] for c in changed} == {"update"} and any("title" in c["fields"] for c in changed)
    october = edits["2025-10"].evidence
    assert october["edited_while_locked"] is True and october["reopened"] == []
    assert [a["id"] for a in october["activities"]] == [workflow["october"].pk]
    assert "khóa" in edits["2025-10"].summary


# --- outcomes ---------------------------------------------------------------------------------------------------


def test_outcomes_that_do_not_reconcile(bob: User) -> None:
    nghe_an = new("40")
    record(nghe_an, "2025-08", si_voluntary=10_000, hi_household=50_000)
    record(
        nghe_an,
        "2025-09",
        si_voluntary=10_300,
        si_voluntary_new=500,
        si_voluntary_lapsed=200,
        hi_household=50_500,
        hi_household_new=900,
        hi_household_lapsed=600,
    )  # +300 exact; +500 vs +300 within 2 %
    bad = record(nghe_an, "2025-10", si_voluntary=11_000, si_voluntary_new=300, si_voluntary_lapsed=100)
    record(nghe_an, "2025-12", si_voluntary=20_000, si_voluntary_new=1, si_voluntary_lapsed=1)  # no November
    found = of_kind(gaming_checks(bob, year=2025).findings, "outcome_not_reconciled")
    assert [(f.unit, f.period, f.evidence["figure"]) for f in found] == [("40", "2025-10", "si_voluntary")]
    evidence = found[0].evidence
    assert (evidence["previous"], evidence["new"], evidence["lapsed"]) == (10_300, 300, 100)
    assert (evidence["expected"], evidence["recorded"], evidence["difference"]) == (10_500, 11_000, 500)
    assert evidence["tolerance"] == 206 and evidence["record"] == bad.pk


# --- scope and surfaces -----------------------------------------------------------------------------------------


def test_scope_page_api_and_cli(olivia: User, hana: User, bob: User, alice: User) -> None:
    spiky_year(olivia)
    record(new("01"), "2025-08", si_voluntary=10_000)
    record(new("01"), "2025-09", si_voluntary=15_000, si_voluntary_new=10, si_voluntary_lapsed=10)
    assert {f.unit for f in gaming_checks(hana, year=2025).findings} == {"01"}
    assert {f.unit for f in gaming_checks(bob, year=2025).findings} == {"BHXH-40"}
    assert {f.unit for f in gaming_checks(alice, year=2025).findings} == {"BHXH-40", "01"}
    page = client_for(hana).get(reverse("outcomes:checks") + "?year=2025").content.decode()
    assert 'data-unit="01"' in page and 'data-unit="BHXH-40"' not in page and "Số phải có" in page
    only = client_for(bob).get(reverse("outcomes:checks") + "?year=2025&kind=outcome_not_reconciled").content.decode()
    assert 'id="no-findings"' in only
    api = client_for(bob).get("/api/outcomes/checks?year=2025").json()
    assert [f["unit"] for f in api["findings"]] == ["BHXH-40"] and api["counts"]["spike_period_end"] == 1
    assert client_for(bob).get("/api/outcomes/checks?kind=bogus").status_code == 400
    result = CliRunner().invoke(app, ["outcomes", "checks", "--period", "2025", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["year"] == 2025 and {f["unit"] for f in data["findings"]} == {"BHXH-40", "01"}
    assert {"unit", "kind", "period", "evidence", "summary", "links"} <= set(data["findings"][0])
    bad = CliRunner().invoke(app, ["outcomes", "checks", "--period", "20"])
    assert bad.exit_code == 1
