"""Provinces an item mentions, found by rule from the unit seed (loa/units/seed/*.csv), no database needed.

Codes: `provinces` are **2025 codes** (the 34 provinces after 01/07/2025, Loa's default hierarchy); a name of
a merged old province ("Bình Dương", "Quảng Bình") gives the code of the province it now belongs to (primary
link in links.csv). `provinces_pre2025` gives the codes of the 63 old provinces for the same mentions (a new
province named like an old one, "Gia Lai" → 64, the old province of that name). The two code lists are not
interchangeable: 52 is Gia Lai in 2025 but Bình Định before.

Matching is accent- and case-tolerant but not careless: a name is found in the accent-free copy of the text on
word boundaries, then the original span is checked — it must carry the name's own diacritics (either tone-mark
placement) or none at all ("Ha Noi"), so "diễn biến" is not Điện Biên; and each syllable must start with a
capital unless the text has no capitals at all, so "hòa bình" (peace) is not Hòa Bình.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from loa.listen.classify.text import fold, has_diacritics, nfc, tone_form

SEED = Path(__file__).resolve().parents[2] / "units" / "seed"

# Extra spellings seen in the press, by pre-2025 province code (names without "Tỉnh"/"Thành phố" are added
# from the seed). Abbreviations marked with a leading "!" must appear in capitals ("TP.HCM", "HCM").
ALIASES: dict[str, tuple[str, ...]] = {
    "01": ("Hanoi", "Thủ đô Hà Nội"),
    "79": (
        "TP Hồ Chí Minh",
        "TP. Hồ Chí Minh",
        "TP.Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
        "!TP.HCM",
        "!TP HCM",
        "!TP. HCM",
        "!TPHCM",
        "!HCMC",
        "!HCM",
        "Sài Gòn",
        "Saigon",
    ),
    "46": ("Thừa Thiên Huế", "Thừa Thiên - Huế", "Thừa Thiên-Huế"),
    "77": ("Bà Rịa Vũng Tàu", "Bà Rịa-Vũng Tàu", "Bà Rịa – Vũng Tàu", "Vũng Tàu", "Bà Rịa", "!BR-VT"),
    "66": ("Đăk Lăk", "Đắc Lắc", "Daklak", "Đắk Lắc", "Dak Lak"),
    "67": ("Đăk Nông", "Đắc Nông", "Dak Nong"),
    "06": ("Bắc Cạn",),
    "62": ("Kontum",),
    "17": ("Hoà Bình",),
    "38": ("Thanh Hoá",),
    "56": ("Khánh Hoà",),
}
# Names that would also match inside other phrases: those phrases are blanked before matching.
BLOCKERS = ("thai binh duong",)  # the Pacific Ocean holds "Thái Bình" and "Bình Dương"
# "Hồ Chí Minh" alone is the person: the city is matched only with a prefix (aliases above).
SKIP_BARE = {"Hồ Chí Minh"}


@dataclass(frozen=True)
class Alias:
    spelling: str
    code_2025: str
    code_pre2025: str
    capitals_only: bool


def _strip_prefix(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _read_seed(seed: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Pre-2025 names, 2025 names and the primary pre-2025 → 2025 province link."""
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    with (seed / "units.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["level"] != "province":
                continue
            target = old if row["version"] == "pre2025" else new
            target[row["code"]] = _strip_prefix(row["name"])
    link: dict[str, str] = {}
    with (seed / "links.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["old_level"] == "province" and row["new_level"] == "province" and row["primary"] == "1":
                link[row["old"]] = row["new"]
    return old, new, link


def _aliases(seed: Path) -> list[Alias]:
    old, new, link = _read_seed(seed)
    out: list[Alias] = []
    for code, name in old.items():
        spellings = [name, *ALIASES.get(code, ())]
        if " - " in name:
            spellings.append(name.replace(" - ", " "))
        for spelling in spellings:
            if spelling in SKIP_BARE:
                continue
            capitals = spelling.startswith("!")
            out.append(Alias(spelling.lstrip("!"), link.get(code, code), code, capitals))
    old_by_name = {name: code for code, name in old.items()}
    for code, name in new.items():  # every 2025 name is also an old name today; kept general in case not
        if name not in old_by_name:
            out.append(Alias(name, code, "", False))
    return out


class ProvinceFinder:
    def __init__(self, seed: Path = SEED) -> None:
        aliases = _aliases(seed)
        self.by_fold: dict[str, list[Alias]] = {}
        for alias in aliases:
            self.by_fold.setdefault(fold(nfc(alias.spelling)), []).append(alias)
        keys = sorted(self.by_fold, key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")
        self.blockers = re.compile("|".join(re.escape(b) for b in BLOCKERS))

    def find(self, text: str) -> tuple[list[str], list[str]]:
        """(2025 codes, pre-2025 codes) of the provinces mentioned, in order of first mention."""
        original = nfc(text)
        folded = fold(original)
        if len(folded) != len(original):  # never expected for NFC text; be safe rather than misalign
            return [], []
        folded = self.blockers.sub(lambda m: " " * len(m.group(0)), folded)
        no_capitals = not any(char.isupper() for char in original)
        codes: list[str] = []
        old_codes: list[str] = []
        for match in self.pattern.finditer(folded):
            span = original[match.start() : match.end()]
            alias = self._accept(span, self.by_fold[match.group(0)], no_capitals)
            if alias is None:
                continue
            if alias.code_2025 and alias.code_2025 not in codes:
                codes.append(alias.code_2025)
            if alias.code_pre2025 and alias.code_pre2025 not in old_codes:
                old_codes.append(alias.code_pre2025)
        return codes, old_codes

    @staticmethod
    def _accept(span: str, candidates: list[Alias], no_capitals: bool) -> Alias | None:
        accented = has_diacritics(span)
        for alias in candidates:
            if accented and tone_form(span) != tone_form(nfc(alias.spelling)):
                continue
            if alias.capitals_only:
                if not any(char.isupper() for char in span):
                    continue
            elif not no_capitals and not _capitalised(span):
                continue
            return alias
        return None


def _capitalised(span: str) -> bool:
    """Every syllable starts with a capital (or the whole span is in capitals)."""
    words = [w for w in re.split(r"[\s\-–.]+", span) if w]
    return all(w[0].isupper() or not w[0].isalpha() for w in words)


@lru_cache(maxsize=1)
def province_finder() -> ProvinceFinder:
    return ProvinceFinder()


def find_provinces(text: str) -> tuple[list[str], list[str]]:
    return province_finder().find(text)
