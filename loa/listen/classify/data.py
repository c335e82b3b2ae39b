"""Reading the training and evaluation data from ../shared/data (never copied into the repository).

The labelled set (docs/listen/labels-rss-2025.jsonl: ids and labels only) is joined by id with the RSS feed's
title and summary. The held-out part is fixed by the id alone: an item is held out when the md5 of
"loa-listen-heldout:" + id, read as a number, is divisible by 4 (≈ 25 %). Training, cross-validation and the
choice of every hyper-parameter see only the other part; `loa listen eval` scores the held-out part.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loa.listen.classify.text import item_text

REPO = Path(__file__).resolve().parents[3]
LABELS = REPO / "docs" / "listen" / "labels-rss-2025.jsonl"
RSS_FILE = Path("news_dev") / "rss_feed_2025-08_to_2026-02.jsonl.gz"
SPLIT_SALT = "loa-listen-heldout:"

TOPICS = (
    "pension_and_retirement",
    "one_time_withdrawal",
    "voluntary_social_insurance",
    "compulsory_contributions_and_evasion",
    "health_insurance_benefits_and_hospitals",
    "health_insurance_cards_and_enrollment",
    "unemployment_insurance",
    "maternity_sickness_and_other_benefits",
    "digital_services_vssid",
    "fund_fraud_and_profiteering",
    "law_and_policy_changes",
    "agency_news_and_communication",
    "other",
)
TONES = ("negative", "neutral", "positive")


class DataMissing(Exception):
    """A data file is not where it should be."""


def data_dir(explicit: str | Path | None = None) -> Path:
    """The shared data folder: --data, then LOA_LISTEN_DATA, then <repo>/../shared/data."""
    chosen = explicit or os.environ.get("LOA_LISTEN_DATA") or REPO.parent / "shared" / "data"
    return Path(chosen)


def held_out(item_id: str) -> bool:
    digest = hashlib.md5((SPLIT_SALT + item_id).encode("utf-8")).hexdigest()
    return int(digest, 16) % 4 == 0


@dataclass
class Labelled:
    id: str
    text: str
    relevant: int
    tone: str | None
    topics: list[str]
    provinces: list[str]
    sure: bool
    held_out: bool = field(default=False)
    title: str = field(default="")


def _open(path: Path) -> Iterator[str]:
    if not path.exists():
        raise DataMissing(f"Không tìm thấy tệp dữ liệu {path}")
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from handle
    else:
        with path.open(encoding="utf-8") as handle:
            yield from handle


def read_feed(data: Path, ids: set[str] | None = None) -> dict[str, dict]:
    """Feed items by id (only `ids` when given)."""
    out: dict[str, dict] = {}
    for line in _open(data / RSS_FILE):
        row = json.loads(line)
        if ids is None or row["id"] in ids:
            out[row["id"]] = row
    return out


def read_labelled(data: Path, labels: Path = LABELS) -> list[Labelled]:
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    feed = read_feed(data, {row["id"] for row in rows})
    missing = [row["id"] for row in rows if row["id"] not in feed]
    if missing:
        raise DataMissing(f"{len(missing)} mục có nhãn không có trong {RSS_FILE} (ví dụ {missing[0]})")
    return [
        Labelled(
            id=row["id"],
            text=item_text(feed[row["id"]]),
            relevant=int(row["relevant"]),
            tone=row.get("tone"),
            topics=[t for t in row.get("topics") or [] if t in TOPICS],
            provinces=list(row.get("provinces") or []),
            sure=bool(row.get("sure", True)),
            held_out=held_out(row["id"]),
            title=str(feed[row["id"]].get("title") or ""),
        )
        for row in rows
    ]


def read_vsfc(data: Path, split: str) -> tuple[list[str], list[int]]:
    """UIT-VSFC sentences and labels (0 negative, 1 neutral, 2 positive)."""
    folder = data / "sentiment_dev" / "UIT-VSFC" / split
    sents = [line.rstrip("\n") for line in _open(folder / "sents.txt")]
    labels = [int(line) for line in _open(folder / "sentiments.txt") if line.strip()]
    return sents[: len(labels)], labels


def read_vlsp(data: Path, split: str) -> tuple[list[str], list[int]]:
    """VLSP2016-SA: labels -1/0/1 as 0 negative, 1 neutral, 2 positive."""
    path = data / "sentiment_dev" / "VLSP2016-SA" / f"sentiment_{split}.csv"
    texts: list[str] = []
    labels: list[int] = []
    reader = csv.reader(_open(path), delimiter="\t")
    next(reader, None)
    for row in reader:
        if len(row) >= 2 and row[0].strip() in {"-1", "0", "1"}:
            labels.append(int(row[0]) + 1)
            texts.append(row[1])
    return texts, labels


def read_victsd(data: Path, split: str) -> tuple[list[str], list[int]]:
    """UIT-ViCTSD comments and the toxic label (1 toxic)."""
    path = data / "sentiment_dev" / "UIT-ViCTSD" / f"ViCTSD_{split}.csv"
    texts: list[str] = []
    labels: list[int] = []
    for row in csv.DictReader(_open(path)):
        texts.append(row["Comment"] or "")
        labels.append(int(row["Toxicity"]))
    return texts, labels
