"""Dashboards per role: the right view for each persona, figures equal to the ledger's tally, scope, the 2025
reform re-aggregation, the province tile grid, plan progress, bad parameters and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loa.activities.places import ProvinceResolver
from loa.activities.selectors import activity_tally
from loa.catalogues.models import Form, TaskGroup
from loa.dashboards.selectors import province_dashboard_context, province_filter, year_figures
from loa.dashboards.tilemap import LAYOUT_2025, LAYOUT_PRE2025
from loa.dashboards.tiles import province_tiles
from loa.people.models import User
from loa.people.scope import unit_closure
from loa.plans.models import Plan, PlanTarget
from loa.units.models import Level, Unit, Version
from tests.conftest import client_for, office
from tests.dashboards.rows import add

pytestmark = pytest.mark.django_db
Y2025 = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
Y2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def base_office() -> Unit:
    found = Unit.objects.filter(parent=office("BHXH-40")).order_by("code").first()
    assert found is not None
    return found


def ledger() -> None:
    """Nghệ An (province office, a base office, an old district office before the reform), Hà Nội, Hà Giang."""
    add("BHXH-40", "conference", dt.date(2025, 3, 5), attendees=120, cost=2_000_000, reach=300)
    add("BHXH-40", "press_item", dt.date(2025, 9, 12), cost=1_500_000, reach=10_000)
    add(base_office(), "small_group", dt.date(2025, 8, 1), attendees=15, cost=300_000)
    add(base_office(), "loudspeaker", dt.date(2025, 10, 20), quantity=20, cost=120_000)
    add("BHXH-414", "conference", dt.date(2025, 3, 20), attendees=80, cost=1_000_000)  # old Thái Hoà office
    add("BHXH-40", "conference", dt.date(2024, 3, 7), attendees=90, cost=1_800_000)
    add("BHXH-01", "conference", dt.date(2025, 4, 2), attendees=200, cost=5_000_000)
    add("BHXH-01", "portal_post", dt.date(2024, 6, 2))
    add("BHXH-02", "loudspeaker", dt.date(2024, 5, 10), quantity=12, cost=90_000)  # Hà Giang → Tuyên Quang (08)


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {k: sum(r[k] for r in rows) for k in ("activities", "attendees", "quantity", "cost_vnd")}


def kpi(context: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(k for k in context["figures"]["kpis"] if k["metric"] == metric)


def get(user: User, query: str = "") -> Any:
    response = client_for(user).get(f"/dashboards/{query}")
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def test_national_view_matches_the_tally(alice: User) -> None:
    ledger()
    response = get(alice, "?year=2025")
    context = response.context
    assert context["view"] == "national"
    tally = totals(activity_tally(alice, by=["form"], date_from=Y2025[0], date_to=Y2025[1]))
    last = totals(activity_tally(alice, by=["form"], date_from=Y2024[0], date_to=Y2024[1]))
    assert kpi(context, "activities")["current"] == tally["activities"] == 6
    assert kpi(context, "attendees")["current"] == tally["attendees"]
    assert kpi(context, "cost_vnd")["current"] == tally["cost_vnd"]
    assert kpi(context, "activities")["previous"] == last["activities"] == 3
    assert kpi(context, "activities")["change"] == 100.0
    assert kpi(context, "reach")["current"] == 10_300
    by_month = {
        r["month"]: r["activities"] for r in activity_tally(alice, by=["month"], date_from=Y2025[0], date_to=Y2025[1])
    }
    assert {
        f"2025-{m['month']:02d}": m["activities"] for m in context["figures"]["months"] if m["activities"]
    } == by_month
    by_form = {
        r["form"]: r["activities"] for r in activity_tally(alice, by=["form"], date_from=Y2025[0], date_to=Y2025[1])
    }
    assert {f["code"]: f["activities"] for f in context["figures"]["forms"]} == by_form
    tiles = {t["code"]: t for t in context["map"]["tiles"]}
    assert len(tiles) == 34
    by_province = activity_tally(alice, by=["province"], date_from=Y2025[0], date_to=Y2025[1])
    assert {c: t["activities"] for c, t in tiles.items() if t["activities"]} == {
        r["province"]: r["activities"] for r in by_province
    }
    page = response.content.decode()
    assert 'role="img"' in page and '<title id="chart-months-t">' in page and "Bảng số liệu" in page
    assert 'href="?unit=BHXH-40&year=2025&hierarchy=2025"' in page


def test_province_view_for_bob_matches_the_tally_and_lists_base_offices(bob: User) -> None:
    ledger()
    response = get(bob, "?year=2025")
    context = response.context
    assert context["view"] == "province" and context["unit"].code == "BHXH-40"
    tally = totals(activity_tally(bob, by=["form"], unit=office("BHXH-40"), date_from=Y2025[0], date_to=Y2025[1]))
    assert kpi(context, "activities")["current"] == tally["activities"] == 5
    assert kpi(context, "attendees")["current"] == tally["attendees"] == 215
    assert kpi(context, "cost_vnd")["current"] == tally["cost_vnd"]
    assert kpi(context, "activities")["previous"] == 1  # Nghệ An's 2024 row; Hà Nội and Hà Giang are not Bob's
    children = {r["code"]: r for r in context["children"]}
    assert children[base_office().code]["activities"] == 2
    assert children["BHXH-CS-414"]["activities"] == 1  # the old Thái Hoà office's March activity, under its successor
    direct = context["children"][0]
    assert not direct["is_child"] and direct["activities"] == 2
    assert sum(r["activities"] for r in context["children"]) == tally["activities"]
    assert "Bảo hiểm xã hội cơ sở thị xã Thái Hoà" in response.content.decode()


def test_local_view_for_a_base_office(dana: User) -> None:
    ledger()
    commune = Unit.objects.filter(level=Level.COMMUNE, version=Version.V2025).order_by("code").first()
    add(base_office(), "conference", dt.date(2025, 11, 3), attendees=40, commune=commune)
    context = get(dana, "?year=2025").context
    assert context["view"] == "local"
    tally = totals(activity_tally(dana, by=["form"], unit=dana.unit, date_from=Y2025[0], date_to=Y2025[1]))
    assert kpi(context, "activities")["current"] == tally["activities"] == 3
    assert kpi(context, "attendees")["current"] == tally["attendees"] == 55
    communes = {r["name"]: r["activities"] for r in context["communes"]}
    assert commune is not None and communes[commune.name] == 1 and communes["Không ghi địa bàn"] == 2


def test_national_user_drills_into_a_province_and_back(alice: User) -> None:
    ledger()
    context = get(alice, "?year=2025&unit=BHXH-40").context
    assert context["view"] == "province" and context["unit"].code == "BHXH-40"
    assert kpi(context, "activities")["current"] == 5
    assert context["up"] is not None and context["up"].code == "BHXHVN"


def test_hana_cannot_open_nghe_an(hana: User) -> None:
    ledger()
    client = client_for(hana)
    for url in (
        "/dashboards/?unit=BHXH-40",
        "/dashboards/?unit=BHXH-CS-414&year=2025",
        "/dashboards/report/?unit=BHXH-40&period=2025-03",
        "/dashboards/report/?unit=BHXH-40&period=2025-03&format=xlsx",
        "/dashboards/report/?unit=BHXH-40&period=2025-03&format=pdf",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Nghệ An" not in response.content.decode()
    context = get(hana, "?year=2025").context
    assert context["view"] == "province" and context["unit"].code == "BHXH-01"
    assert kpi(context, "activities")["current"] == 1  # only Hà Nội's
    assert all(r["activities"] == 0 or r["code"] != "BHXH-40" for r in context["children"])


def test_bob_cannot_open_the_national_dashboard(bob: User) -> None:
    assert client_for(bob).get("/dashboards/?unit=BHXHVN").status_code == 404


def test_reform_re_aggregation_old_province_2024_under_its_new_province(alice: User) -> None:
    ledger()
    new = {t["code"]: t for t in province_tiles(alice, 2024, "2025")["tiles"]}
    old = {t["code"]: t for t in province_tiles(alice, 2024, "pre2025")["tiles"]}
    assert len(new) == 34 and len(old) == 63
    assert new["08"]["activities"] == 1 and "02" not in new  # Hà Giang's 2024 loudspeaker under Tuyên Quang
    assert old["02"]["activities"] == 1 and old["08"]["activities"] == 0
    # The same through the page, and Tuyên Quang's 2025 dashboard counts its predecessor's 2024 activity.
    page = get(alice, "?year=2024&hierarchy=pre2025").context
    assert {t["code"]: t["activities"] for t in page["map"]["tiles"]}["02"] == 1
    context = get(alice, "?year=2025&unit=BHXH-08").context
    assert context["view"] == "province" and kpi(context, "activities")["previous"] == 1
    tally = activity_tally(alice, by=["province"], date_from=Y2024[0], date_to=Y2024[1], hierarchy="2025")
    assert {r["province"]: r["activities"] for r in tally}["08"] == new["08"]["activities"]


def test_tile_rate_per_10000_inhabitants_and_colour_classes(alice: User) -> None:
    for i in range(5):
        add("BHXH-40", "conference", dt.date(2025, 2, 1 + i), attendees=10)
    add("BHXH-01", "conference", dt.date(2025, 2, 1), attendees=10)
    tiles = {t["code"]: t for t in province_tiles(alice, 2025, "2025")["tiles"]}
    assert tiles["40"]["population_thousand"] == pytest.approx(3365.2)  # Nghệ An, 2020 census seed
    assert tiles["40"]["rate"] == round(5 / 336.52, 3)
    assert tiles["40"]["cls"] > tiles["01"]["cls"] > 0  # Hà Nội: 1 activity for 8.2 million people
    assert {t["cls"] for c, t in tiles.items() if c not in ("40", "01")} == {0}
    # Merged provinces add up their predecessors' population: Tuyên Quang (08) = Tuyên Quang + Hà Giang.
    assert tiles["08"]["population_thousand"] == pytest.approx(792.9 + 870.2)


def test_layouts_cover_every_province_once() -> None:
    for layout, version, count in ((LAYOUT_2025, Version.V2025, 34), (LAYOUT_PRE2025, Version.PRE2025, 63)):
        assert len(layout) == count and len(set(layout.values())) == count
        codes = set(Unit.objects.filter(level=Level.PROVINCE, version=version).values_list("code", flat=True))
        assert set(layout) == codes


def test_plan_progress_on_the_dashboard(bob: User) -> None:
    ledger()
    plan = Plan.objects.create(unit=office("BHXH-40"), year=2025, title="Kế hoạch 2025")
    PlanTarget.objects.create(plan=plan, indicator="activities", form=Form.objects.get(code="conference"), value=4)
    PlanTarget.objects.create(plan=plan, indicator="cost_limit", value=1_000_000)
    response = get(bob, "?year=2025")
    rows = {r["indicator"]: r for r in response.context["plan"]}
    assert rows["activities"]["actual"] == 2 and rows["activities"]["percent"] == 50.0
    assert rows["cost_limit"]["pace"] == "over"
    page = response.content.decode()
    assert "Số hội nghị" in page and 'class="progress"' in page and "Vượt hạn mức" in page


def test_plan_colouring_of_the_national_grid(alice: User) -> None:
    ledger()
    plan = Plan.objects.create(unit=office("BHXH-40"), year=2025, title="Kế hoạch 2025")
    PlanTarget.objects.create(plan=plan, indicator="activities", value=10)
    tiles = {t["code"]: t for t in get(alice, "?year=2025&metric=plan").context["map"]["tiles"]}
    assert tiles["40"]["plan"] == 50.0 and tiles["40"]["cls"] == 3
    assert tiles["01"]["plan"] is None and tiles["01"]["cls"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [("?year=abc", "Năm"), ("?year=1800", "Năm"), ("?hierarchy=1990", "Hệ thống đơn vị"), ("?metric=x", "tô màu")],
)
def test_bad_parameters_read_as_a_clear_message(alice: User, query: str, field: str) -> None:
    response = client_for(alice).get(f"/dashboards/{query}")
    assert response.status_code == 400
    assert field in response.content.decode()


def test_unknown_unit_is_not_found(alice: User) -> None:
    response = client_for(alice).get("/dashboards/?unit=KHONG-CO")
    assert response.status_code == 404 and "KHONG-CO" in response.content.decode()


def test_province_dashboard_query_count_does_not_grow_with_the_ledger(bob: User) -> None:
    unit = office("BHXH-40")
    day = dt.date(2026, 1, 10)
    add(unit, "conference", dt.date(2025, 1, 3), attendees=10)
    province_dashboard_context(bob, unit, 2025, day=day)  # warm the actor's scope cache
    with CaptureQueriesContext(connection) as small:
        province_dashboard_context(bob, unit, 2025, day=day)
    for i in range(40):
        add(base_office() if i % 2 else unit, "conference" if i % 3 else "press_item", dt.date(2025, 1 + i % 12, 5))
    with CaptureQueriesContext(connection) as large:
        context = province_dashboard_context(bob, unit, 2025, day=day)
    assert len(large) == len(small) <= 20
    assert kpi(context, "activities")["current"] == 41


def test_a_province_offices_rows_stay_inside_its_scope() -> None:
    """The province dashboard reads rows by their denormalised province_2025 rather than by the office's closure
    (one index range instead of an IN list of hundreds of units). That is only safe if every office whose
    activities resolve to the province is inside the province office's scope: checked for every office, for a
    province kept whole, two full merges and one that took part of a split province (Tiền Giang → 80/82)."""
    resolver = ProvinceResolver()
    offices = list(Unit.objects.filter(level=Level.OFFICE).exclude(code="BHXHVN").values_list("id", "code"))
    resolved = {pk: resolver(pk)[1] for pk, _code in offices}
    for code in ("40", "08", "82", "80", "79"):
        province_office = office(f"BHXH-{code}")
        target = province_filter(province_office)
        assert target is not None
        closure = unit_closure(province_office)
        members = [c for pk, c in offices if resolved[pk] == target["province_2025_id"]]
        assert len(members) >= 2, code
        assert [c for pk, c in offices if resolved[pk] == target["province_2025_id"] and pk not in closure] == []


def test_pre2025_hierarchy_opens_an_old_province(alice: User) -> None:
    ledger()
    context = get(alice, "?year=2024&hierarchy=pre2025&unit=BHXH-02").context
    assert context["view"] == "province" and context["unit"].version == Version.PRE2025
    assert kpi(context, "activities")["current"] == 1
    assert client_for(alice).get("/dashboards/?year=2024&unit=BHXH-02").status_code == 404  # gone after the reform


def test_current_year_compares_the_same_days_of_last_year(bob: User) -> None:
    """Mid-March: whole months come from the monthly rollup, the days of March from the ledger."""
    unit = office("BHXH-40")
    for day in (dt.date(2025, 1, 20), dt.date(2025, 3, 5), dt.date(2025, 3, 20), dt.date(2025, 7, 1)):
        add(unit, "conference", day, attendees=10)
    for day in (dt.date(2024, 2, 2), dt.date(2024, 3, 7), dt.date(2024, 3, 15)):
        add(unit, "conference", day, attendees=100)
    figures = year_figures(bob, unit, 2025, day=dt.date(2025, 3, 10))
    assert figures["partial"] and figures["cutoff"] == dt.date(2025, 3, 10)
    assert figures["current"]["activities"] == 2 and figures["current"]["attendees"] == 20
    assert figures["previous"]["activities"] == 2 and figures["previous"]["attendees"] == 200
    assert figures["totals"]["activities"] == 4  # the months chart shows the whole year
    assert [m["activities"] for m in figures["months"]][:3] == [1, 0, 2]
    end_of_month = year_figures(bob, unit, 2025, day=dt.date(2025, 3, 31))
    assert end_of_month["current"]["activities"] == 3 and end_of_month["previous"]["activities"] == 3


def test_plan_target_split_by_task_group_reads_the_ledger(bob: User) -> None:
    """The monthly rollup has no task group; a target per task group is counted from the ledger rows."""
    unit = office("BHXH-40")
    add(unit, "conference", dt.date(2025, 3, 5), attendees=10, task_group="t3_renew_content")
    add(unit, "conference", dt.date(2025, 4, 5), attendees=10, task_group="t7_training")
    add(unit, "conference", dt.date(2025, 5, 5), attendees=10)
    plan = Plan.objects.create(unit=unit, year=2025, title="Kế hoạch 2025")
    PlanTarget.objects.create(
        plan=plan, indicator="activities", task_group=TaskGroup.objects.get(code="t3_renew_content"), value=2
    )
    PlanTarget.objects.create(plan=plan, indicator="attendees", value=60)
    rows = {r["indicator"]: r for r in province_dashboard_context(bob, unit, 2025, day=dt.date(2026, 1, 5))["plan"]}
    assert rows["activities"]["actual"] == 1 and rows["activities"]["percent"] == 50.0
    assert rows["attendees"]["actual"] == 30 and rows["attendees"]["percent"] == 50.0
