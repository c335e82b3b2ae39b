"""The two administrative versions ship complete, codes are official, and the reform links are explicit."""

from __future__ import annotations

import datetime as dt

import pytest

from loa.core.errors import NotFound
from loa.units.models import Level, MergeKind, Unit, UnitLink, Version
from loa.units.reform import reform_report
from loa.units.selectors import family_as_dict, unit_family, unit_get, unit_list

BEFORE = dt.date(2025, 1, 4)
AFTER = dt.date(2025, 7, 1)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "level", "expected"),
    [
        (BEFORE, "province", 63),
        (BEFORE, "district", 696),
        (BEFORE, "commune", 10051),
        (AFTER, "province", 34),
        (AFTER, "district", 0),
        (AFTER, "commune", 3321),
        (BEFORE, "nation", 1),
        (AFTER, "nation", 1),
    ],
)
def test_unit_counts_per_version(day: dt.date, level: str, expected: int) -> None:
    assert unit_list(at=day, level=level).count() == expected


def test_every_pre2025_commune_hangs_under_a_district_of_its_province() -> None:
    communes = Unit.objects.filter(level=Level.COMMUNE, version=Version.PRE2025).select_related("parent__parent")
    assert all(c.parent.level == Level.DISTRICT and c.parent.parent.level == Level.PROVINCE for c in communes)


def test_five_island_districts_have_no_communes() -> None:
    empty = Unit.objects.filter(level=Level.DISTRICT, children__isnull=True)
    assert sorted(u.name for u in empty) == sorted(
        ["Huyện Bạch Long Vĩ", "Huyện Cồn Cỏ", "Huyện Hoàng Sa", "Huyện Lý Sơn", "Huyện Côn Đảo"]
    )


def test_same_code_resolves_to_the_version_valid_on_the_date() -> None:
    old = unit_get("00004", BEFORE)
    new = unit_get("00004", AFTER)
    assert (old.name, old.version) == ("Phường Trúc Bạch", Version.PRE2025)
    assert (new.name, new.version) == ("Phường Ba Đình", Version.V2025)


def test_unknown_code_gives_a_vietnamese_message() -> None:
    with pytest.raises(NotFound, match="Không có đơn vị nào mang mã “99999”"):
        unit_get("99999")


def test_district_code_after_reform_names_the_period_it_was_valid() -> None:
    with pytest.raises(NotFound, match=r"không có hiệu lực ngày 01/07/2025.*01/07/2025"):
        unit_get("001", AFTER)


def test_search_without_diacritics_finds_accented_name() -> None:
    names = [u.name for u in unit_list(at=AFTER, query="ha noi")]
    assert "Thành phố Hà Nội" in names
    assert [u.name for u in unit_list(at=AFTER, query="HÀ NỘI", level="province")] == ["Thành phố Hà Nội"]


def test_family_of_a_merged_province() -> None:
    family = family_as_dict(unit_family(unit_get("08", AFTER)))  # Tuyên Quang absorbed Hà Giang (02)
    assert sorted(family["predecessors"]) == ["02", "08"]
    assert family["ancestors"] == ["VN"]
    assert len(family["children"]) > 100


def test_old_commune_ancestors_and_successor() -> None:
    family = family_as_dict(unit_family(unit_get("00004", BEFORE)))
    assert family["ancestors"] == ["001", "01", "VN"]
    assert family["successors"] == ["00004"]


def test_partial_merges_are_marked_and_split_communes_have_several_successors() -> None:
    ngoc_ha = unit_get("00016", BEFORE)  # Phường Ngọc Hà was split between Ba Đình and Ngọc Hà
    links = {lk.new.code: lk for lk in ngoc_ha.successor_links.select_related("new")}
    assert set(links) == {"00004", "00008"}
    assert all(lk.kind == MergeKind.PARTIAL for lk in links.values())
    assert links["00008"].primary and not links["00004"].primary  # the new ward keeping its name is primary


def test_reform_round_trip_every_old_commune_is_mapped_or_reported_with_a_reason() -> None:
    report = reform_report()
    counts = report["counts"]
    assert isinstance(counts, dict)
    unmapped = report["unmapped"]
    assert isinstance(unmapped, list)
    assert counts["old_communes_linked"] + counts["old_communes_unmapped"] == 10051
    assert 0 < len(unmapped) < 50
    assert all(row["issue"] and row["issue"] != "không rõ lý do" for row in unmapped)
    assert counts["partial_commune_links"] > 900


def test_codes_renumbered_between_january_and_july_are_matched_by_name_not_dropped() -> None:
    ward = unit_get("26935", BEFORE)  # Phường 14, Bình Thạnh: the table uses code 26929
    assert ward.successor_links.exists()
    assert "khớp theo tên" in ward.successor_links.first().note


def test_every_new_commune_has_a_predecessor() -> None:
    orphans = Unit.objects.filter(level=Level.COMMUNE, version=Version.V2025, predecessor_links__isnull=True)
    assert list(orphans) == []
    special_zone = unit_get("26732", AFTER)  # Đặc khu Côn Đảo: a whole island district became a commune-level zone
    assert [lk.old.code for lk in special_zone.predecessor_links.all()] == ["755"]


def test_every_old_district_has_a_province_successor() -> None:
    districts = Unit.objects.filter(level=Level.DISTRICT)
    linked = UnitLink.objects.filter(old__level=Level.DISTRICT, new__level=Level.PROVINCE).values("old").distinct()
    assert districts.count() == linked.count() == 696


def test_offices_serve_units_with_validity() -> None:
    base_offices = Unit.objects.filter(level=Level.OFFICE, version=Version.V2025, division_type="BHXH cơ sở")
    assert base_offices.count() > 600
    served = Unit.objects.filter(served_by__office__in=base_offices, level=Level.COMMUNE).distinct().count()
    assert served == 3321  # every new commune is served by exactly one base office
    assert unit_get("BHXH-40", AFTER).parent.code == "BHXHVN"
