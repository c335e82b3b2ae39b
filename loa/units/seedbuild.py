"""Build Loa's own unit seed files from the statistics-office lists (run once by a developer).

Inputs (../shared/data/admin_units): the 04/01/2025 list of 63 provinces/696 districts/10,051 communes, the
34-province list of 01/07/2025, the official old→new commune conversion table and the province mapping.
Outputs (loa/units/seed): admin units per version, reform links, offices and their areas, and a report of
everything the two lists and the table do not agree on.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from loa.core.text import fold, nfc

SEED_DIR = Path(__file__).resolve().parent / "seed"
_CODE_IN_PARENS = re.compile(r"\((\d+)\)\s*$")


@dataclass
class Seed:
    units: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    areas: list[dict[str, str]] = field(default_factory=list)
    report: list[dict[str, str]] = field(default_factory=list)


def _division(name: str, options: tuple[str, ...]) -> str:
    return next((opt for opt in options if name.startswith(opt)), "")


def _lower_division(name: str) -> str:
    """'Tỉnh Nghệ An' → 'tỉnh Nghệ An' inside an office name."""
    return name[0].lower() + name[1:] if name.split(" ")[0] in {"Tỉnh", "Thành", "Quận", "Huyện", "Thị"} else name


def _unit(code: str, name: str, level: str, version: str, parent: str, division: str = "") -> dict[str, str]:
    return {
        "code": code,
        "name": nfc(name),
        "level": level,
        "version": version,
        "parent": parent,
        "division_type": division,
    }


def read_pre2025(src: Path, seed: Seed) -> dict[str, dict[str, str]]:
    """Nation → 63 provinces → 696 districts → communes; returns communes by code."""
    provinces: dict[str, str] = {}
    districts: dict[str, str] = {}
    communes: dict[str, dict[str, str]] = {}
    with open(src / "Xa_2025-01-04.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            pcode, dcode, ccode = row["Mã TP"].strip(), row["Mã QH"].strip(), row["Mã PX"].strip()
            if pcode not in provinces:
                provinces[pcode] = row["Tỉnh Thành Phố"]
                seed.units.append(
                    _unit(
                        pcode,
                        row["Tỉnh Thành Phố"],
                        "province",
                        "pre2025",
                        "VN",
                        _division(row["Tỉnh Thành Phố"], ("Thành phố", "Tỉnh")),
                    )
                )
            if dcode not in districts:
                districts[dcode] = pcode
                seed.units.append(
                    _unit(
                        dcode,
                        row["Quận Huyện"],
                        "district",
                        "pre2025",
                        pcode,
                        _division(row["Quận Huyện"], ("Quận", "Huyện", "Thị xã", "Thành phố")),
                    )
                )
            if ccode:
                unit = _unit(ccode, row["Phường Xã"], "commune", "pre2025", dcode, row["Cấp"].strip())
                communes[ccode] = unit
                seed.units.append(unit)
    return communes


def read_2025(src: Path, seed: Seed) -> dict[str, dict[str, str]]:
    communes: dict[str, dict[str, str]] = {}
    for province in json.loads((src / "nested-divisions.json").read_text(encoding="utf-8")):
        pcode = f"{province['code']:02d}"
        division = "Thành phố" if province["division_type"].startswith("thành phố") else "Tỉnh"
        seed.units.append(_unit(pcode, province["name"], "province", "2025", "VN", division))
        for ward in province["wards"]:
            unit = _unit(
                f"{ward['code']:05d}", ward["name"], "commune", "2025", pcode, ward["division_type"].capitalize()
            )
            communes[unit["code"]] = unit
            seed.units.append(unit)
    return communes


def _link(old: str, old_level: str, new: str, new_level: str, kind: str, primary: bool, note: str) -> dict[str, str]:
    return {
        "old": old,
        "old_level": old_level,
        "new": new,
        "new_level": new_level,
        "kind": kind,
        "primary": "1" if primary else "0",
        "note": nfc(note),
    }


def _merge_kind(note: str) -> str:
    folded = fold(note)
    return "partial" if ("mot phan" in folded or "phan con lai" in folded) else "full"


def read_conversion(src: Path) -> list[list[str]]:
    path = src / "BangChuyendoiĐVHCmoi_cu_khong_merge.csv"
    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    return [[nfc(cell) for cell in row] for row in rows[2:] if row[2].strip()]


def commune_links(
    rows: list[list[str]], old: dict[str, dict[str, str]], new: dict[str, dict[str, str]], seed: Seed
) -> None:
    """Old commune → new commune links; codes the January list lacks are resolved by name or reported."""
    by_district_name = {(u["parent"], fold(u["name"])): code for code, u in old.items()}
    raw: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in rows:
        new_code, old_name, old_code, note, old_district = row[2], row[3], row[4], row[5], row[6]
        match = _CODE_IN_PARENS.search(old_district)
        district_code = match.group(1) if match else ""
        if not old_code:
            if district_code and "sap xep toan bo huyen" in fold(note):
                seed.links.append(_link(district_code, "district", new_code, "commune", "full", True, note))
            else:
                seed.report.append(
                    {
                        "version": "2025",
                        "code": new_code,
                        "name": new[new_code]["name"],
                        "issue": f"nguồn không phải đơn vị hành chính cấp xã: {old_name}",
                    }
                )
            continue
        if old_code not in old:
            resolved = by_district_name.get((district_code, fold(old_name)))
            seed.report.append(
                {
                    "version": "pre2025",
                    "code": old_code,
                    "name": old_name,
                    "issue": (f"mã trong bảng chuyển đổi khác danh sách 04/01/2025; đã khớp theo tên với mã {resolved}")
                    if resolved
                    else "mã xã cũ trong bảng chuyển đổi không có trong danh sách 04/01/2025",
                }
            )
            if not resolved:
                continue
            note = f"{note}; khớp theo tên (mã trong bảng {old_code})"
            old_code = resolved
        raw[old_code].append((new_code, _merge_kind(note), note))
    _dedupe(seed.report)
    for old_code, targets in raw.items():
        old_name = fold(old[old_code]["name"])
        for new_code, kind, note in targets:
            primary = len(targets) == 1 or fold(new[new_code]["name"]) == old_name
            seed.links.append(_link(old_code, "commune", new_code, "commune", kind, primary, note))
    for code in sorted(set(old) - set(raw)):
        seed.report.append(
            {
                "version": "pre2025",
                "code": code,
                "name": old[code]["name"],
                "issue": "không có trong bảng chuyển đổi (đơn vị thay đổi giữa 04/01/2025 và "
                "01/07/2025); chỉ quy đổi được ở cấp tỉnh qua huyện cũ",
            }
        )


def _dedupe(rows: list[dict[str, str]]) -> None:
    seen: set[tuple[str, ...]] = set()
    rows[:] = [r for r in rows if not (tuple(r.values()) in seen or seen.add(tuple(r.values())))]  # type: ignore[func-returns-value]


def province_links(src: Path, seed: Seed) -> None:
    path = src / "province_63_to_34_mapping_with_pop2020_DERIVED.csv"
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            touching = [c for c in row["all_new_codes_touching(ward-level)"].split(";") if c]
            for new_code in touching or [row["new_code_primary"]]:
                primary = new_code == row["new_code_primary"]
                kind = "full" if len(touching) <= 1 else "partial"
                seed.links.append(
                    _link(row["old_code"], "province", new_code, "province", kind, primary, "sáp nhập tỉnh 2025")
                )


def district_links(seed: Seed, old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> None:
    """Districts were abolished: each old district → the new province(s) its communes went to."""
    share: dict[str, Counter[str]] = defaultdict(Counter)
    for link in seed.links:
        if link["old_level"] == "commune":
            share[old[link["old"]]["parent"]][new[link["new"]]["parent"]] += 1
    districts = [u for u in seed.units if u["level"] == "district"]
    prov_link = {lk["old"]: lk["new"] for lk in seed.links if lk["old_level"] == "province" and lk["primary"] == "1"}
    for district in districts:
        counts = share.get(district["code"]) or Counter({prov_link[district["parent"]]: 1})
        top = counts.most_common(1)[0][0]
        kind = "full" if len(counts) == 1 else "partial"
        for province in counts:
            seed.links.append(
                _link(district["code"], "district", province, "province", kind, province == top, "huyện bị bãi bỏ 2025")
            )


def offices(seed: Seed, old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> None:
    """Agency offices: the centre; a province and a district office per old unit; from 2025 a province office
    per new province and a base office (BHXH cơ sở) per former district serving the new communes whose
    old communes mostly lay in that district."""
    seed.units.append(_unit("BHXHVN", "Bảo hiểm xã hội Việt Nam", "office", "all", "", "Trung ương"))
    seed.areas.append({"office": "BHXHVN", "version": "all", "unit": "VN", "unit_version": "all"})
    admin = [u for u in seed.units if u["level"] in ("province", "district")]
    for unit in admin:
        if unit["version"] == "pre2025":
            parent = "BHXHVN" if unit["level"] == "province" else f"BHXH-{unit['parent']}"
            label = _lower_division(unit["name"])
            seed.units.append(
                _unit(
                    f"BHXH-{unit['code']}",
                    f"Bảo hiểm xã hội {label}",
                    "office",
                    "pre2025",
                    parent,
                    "BHXH tỉnh" if unit["level"] == "province" else "BHXH huyện",
                )
            )
            seed.areas.append(
                {
                    "office": f"BHXH-{unit['code']}",
                    "version": "pre2025",
                    "unit": unit["code"],
                    "unit_version": "pre2025",
                }
            )
    for link in [lk for lk in seed.links if lk["old_level"] == "province" and lk["primary"] == "1"]:
        seed.links.append(
            _link(
                f"BHXH-{link['old']}",
                "office",
                f"BHXH-{link['new']}",
                "office",
                link["kind"],
                True,
                "cơ quan BHXH tỉnh sau sáp nhập",
            )
        )
    for unit in [u for u in seed.units if u["level"] == "province" and u["version"] == "2025"]:
        seed.units.append(
            _unit(
                f"BHXH-{unit['code']}",
                f"Bảo hiểm xã hội {_lower_division(unit['name'])}",
                "office",
                "2025",
                "BHXHVN",
                "BHXH tỉnh",
            )
        )
        seed.areas.append(
            {"office": f"BHXH-{unit['code']}", "version": "2025", "unit": unit["code"], "unit_version": "2025"}
        )
    _base_offices(seed, old, new)


def _base_offices(seed: Seed, old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> None:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for link in seed.links:
        if link["old_level"] == "commune":
            votes[link["new"]][old[link["old"]]["parent"]] += 1
        elif link["old_level"] == "district" and link["new_level"] == "commune":
            votes[link["new"]][link["old"]] += 1
    district_names = {u["code"]: u["name"] for u in seed.units if u["level"] == "district"}
    served: dict[str, list[str]] = defaultdict(list)
    for commune_code, counter in votes.items():
        served[counter.most_common(1)[0][0]].append(commune_code)
    for district_code in sorted(served):
        communes = sorted(served[district_code])
        province = Counter(new[c]["parent"] for c in communes).most_common(1)[0][0]
        code = f"BHXH-CS-{district_code}"
        seed.units.append(
            _unit(
                code,
                f"Bảo hiểm xã hội cơ sở {_lower_division(district_names[district_code])}",
                "office",
                "2025",
                f"BHXH-{province}",
                "BHXH cơ sở",
            )
        )
        seed.links.append(
            _link(
                f"BHXH-{district_code}", "office", code, "office", "full", True, "cơ quan BHXH huyện thành BHXH cơ sở"
            )
        )
        for commune in communes:
            seed.areas.append({"office": code, "version": "2025", "unit": commune, "unit_version": "2025"})


def build(src: Path, out: Path = SEED_DIR) -> Seed:
    seed = Seed()
    seed.units.append(_unit("VN", "Việt Nam", "nation", "all", "", "Quốc gia"))
    old = read_pre2025(src, seed)
    new = read_2025(src, seed)
    province_links(src, seed)
    commune_links(read_conversion(src), old, new, seed)
    district_links(seed, old, new)
    offices(seed, old, new)
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "units.csv", seed.units)
    _write(out / "links.csv", seed.links)
    _write(out / "office_areas.csv", seed.areas)
    _write(out / "reform_report.csv", seed.report)
    return seed


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
