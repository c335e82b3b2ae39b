"""Keyword priors: counts of domain phrases, given to the learned models as a few extra dense features.

The phrases are written accent-free (they are matched in the folded text, on word boundaries) and describe the
domain, not the labelled set: what social, health and unemployment insurance news talks about, what commercial
insurance looks like, and the usual words of problems, achievements and explanations. The models learn how much
each group counts; a keyword alone never decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

RELEVANCE_GROUPS: dict[str, tuple[str, ...]] = {
    "social_insurance": ("bao hiem xa hoi", "bhxh", "bhxhvn", "so bhxh", "so bao hiem"),
    "health_insurance": ("bao hiem y te", "bhyt", "the bhyt", "kham chua benh bhyt", "quy bhyt", "thong tuyen"),
    "unemployment": ("bao hiem that nghiep", "bhtn", "tro cap that nghiep", "tro cap mat viec"),
    "pension": ("luong huu", "nghi huu", "tuoi nghi huu", "huu tri", "tro cap huu tri", "nguoi huu", "ve huu"),
    "agency": (
        "vssid",
        "bhxh viet nam",
        "bao hiem xa hoi viet nam",
        "co quan bhxh",
        "co quan bao hiem xa hoi",
        "bhxh tinh",
        "bhxh tp",
        "bhxh thanh pho",
        "bhxh khu vuc",
    ),
    "benefits": (
        "mot lan",
        "thai san",
        "om dau",
        "tu tuat",
        "tro cap xa hoi",
        "tro cap huu tri xa hoi",
        "tai nan lao dong",
        "benh nghe nghiep",
    ),
    "contributions": ("dong bhxh", "tron dong", "no dong", "cham dong", "muc dong", "dong bao hiem", "nop bhxh"),
    "law": ("luat bhxh", "luat bao hiem", "nghi dinh", "thong tu", "du thao", "quoc hoi", "luat so 41"),
    "insurance_any": ("bao hiem", "bh"),
    "commercial": (
        "bao hiem nhan tho",
        "nhan tho",
        "bao hiem xe",
        "bao hiem o to",
        "bao hiem vat chat",
        "bao hiem tai san",
        "phi nhan tho",
        "bao hiem trach nhiem",
        "bao hiem du lich",
        "bao hiem suc khoe",
        "prudential",
        "manulife",
        "aia",
        "bao viet",
        "dai-ichi",
        "dai ly bao hiem",
        "hop dong bao hiem",
        "doanh nghiep bao hiem",
        "cong ty bao hiem",
        "bancassurance",
        "phi bao hiem",
        "boi thuong",
    ),
    "foreign": (
        "singapore",
        "trung quoc",
        "han quoc",
        "nhat ban",
        "phap",
        "italy",
        "duc",
        "chau au",
        "tong thong",
        "nuoc my",
        "nguoi my",
        "tai my",
        "ong trump",
        "anh quoc",
    ),
    "hospital": ("benh vien", "kham chua benh", "thuoc", "vat tu y te", "benh nhan", "nguoi benh", "vien phi"),
    "wages": ("luong co so", "tang luong", "luong toi thieu", "tien luong", "thu nhap"),
    "employment": ("viec lam", "nguoi lao dong", "doanh nghiep", "cong nhan", "lao dong"),
}

TONE_GROUPS: dict[str, tuple[str, ...]] = {
    "problem": (
        "tron dong",
        "no dong",
        "cham dong",
        "no bhxh",
        "no bao hiem",
        "chiem dung",
        "cham tra",
        "cham chi tra",
        "cham thanh toan",
        "gian lan",
        "truc loi",
        "sai pham",
        "vi pham",
        "khoi to",
        "bat giu",
        "bi bat",
        "tam giam",
        "lua dao",
        "gia mao",
        "mao danh",
        "thieu thuoc",
        "buc xuc",
        "khieu nai",
        "to cao",
        "tu choi",
        "xuat toan",
        "vuot tran",
        "that thoat",
        "thiet thoi",
        "mat quyen loi",
        "bat cap",
        "kho khan",
        "vuong mac",
        "ton dong",
        "keu",
        "chua duoc",
        "khong duoc",
        "o at",
        "suy giam",
        "giam manh",
        "thu hoi",
        "xu phat",
        "phat",
    ),
    "achievement": (
        "tang",
        "tang luong huu",
        "mo rong",
        "dat",
        "vuot",
        "ky luc",
        "ho tro",
        "mien phi",
        "duoc huong",
        "them quyen loi",
        "nang",
        "cai thien",
        "thuan tien",
        "khen thuong",
        "bang khen",
        "thanh cong",
        "hieu qua",
        "tang manh",
        "tang truong",
        "100%",
        "giam thu tuc",
        "rut ngan",
        "tich cuc",
        "bao phu",
        "uu dai",
        "mien",
    ),
    "explanation": (
        "co duoc",
        "nhu the nao",
        "bao nhieu",
        "the nao",
        "thu tuc",
        "huong dan",
        "lich chi tra",
        "tu ngay",
        "quy dinh",
        "dieu kien",
        "can biet",
        "cach",
        "lam gi",
        "khi nao",
        "muc huong",
        "de xuat",
    ),
}

TOPIC_GROUPS: dict[str, tuple[str, ...]] = {
    "pension_and_retirement": ("luong huu", "nghi huu", "tuoi nghi huu", "huu tri", "ve huu", "nguoi huu"),
    "one_time_withdrawal": ("mot lan", "rut bhxh", "rut bao hiem", "bhxh 1 lan"),
    "voluntary_social_insurance": ("tu nguyen", "bhxh tu nguyen", "bao hiem xa hoi tu nguyen"),
    "compulsory_contributions_and_evasion": ("tron dong", "no dong", "cham dong", "bat buoc", "muc dong", "no bhxh"),
    "health_insurance_benefits_and_hospitals": (
        "benh vien",
        "kham chua benh",
        "thanh toan bhyt",
        "thuoc",
        "vat tu",
        "vien phi",
        "chi tra bhyt",
        "thong tuyen",
    ),
    "health_insurance_cards_and_enrollment": ("the bhyt", "the bao hiem y te", "cap the", "tham gia bhyt", "bao phu"),
    "unemployment_insurance": ("that nghiep", "bhtn", "mat viec", "viec lam"),
    "maternity_sickness_and_other_benefits": ("thai san", "om dau", "tu tuat", "tai nan lao dong", "duong suc"),
    "digital_services_vssid": ("vssid", "vneid", "dien tu", "truc tuyen", "so hoa", "ung dung", "du lieu"),
    "fund_fraud_and_profiteering": ("truc loi", "gian lan", "lua dao", "khoi to", "chiem doat", "mao danh"),
    "law_and_policy_changes": ("luat", "nghi dinh", "thong tu", "du thao", "quoc hoi", "chinh sach", "hieu luc"),
    "agency_news_and_communication": ("bhxh viet nam", "bhxh tinh", "co quan bhxh", "hoi nghi", "tuyen truyen"),
}


def _pattern(phrases: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)")


ALL_GROUPS: list[tuple[str, re.Pattern[str]]] = [
    (f"{family}:{name}", _pattern(phrases))
    for family, groups in (("rel", RELEVANCE_GROUPS), ("tone", TONE_GROUPS), ("topic", TOPIC_GROUPS))
    for name, phrases in groups.items()
]


def keyword_counts(folded: Sequence[str]) -> np.ndarray:
    """log(1 + count) of every group in every folded text, one row per text."""
    out = np.zeros((len(folded), len(ALL_GROUPS)), dtype=np.float64)
    for row, text in enumerate(folded):
        for col, (_name, pattern) in enumerate(ALL_GROUPS):
            hits = len(pattern.findall(text))
            if hits:
                out[row, col] = hits
    question = np.array([[1.0 if "?" in text else 0.0] for text in folded]).reshape(len(folded), 1)
    return np.hstack([np.log1p(out), question])


def keyword_matrix(folded: Sequence[str], weight: float) -> sp.csr_matrix:
    return sp.csr_matrix(keyword_counts(folded) * weight)


def keyword_names() -> list[str]:
    return [name for name, _ in ALL_GROUPS] + ["question_mark"]
