"""The outcome sheet's columns: our template's headers, with the spellings provinces use in their own reports."""

from __future__ import annotations

from loa.core.sheets import Column
from loa.outcomes.indicators import DENOMINATORS, FIGURES

SYNONYMS: dict[str, tuple[str, ...]] = {
    "si_compulsory": (
        "bhxh bắt buộc - tổng số",
        "bhxh bb",
        "số người tham gia bhxh bắt buộc",
        "tham gia bhxh bắt buộc",
    ),
    "si_voluntary": (
        "bhxh tự nguyện - tổng số",
        "bhxh tn",
        "số người tham gia bhxh tự nguyện",
        "tham gia bhxh tự nguyện",
    ),
    "ui": ("bhtn", "số người tham gia bhtn", "tham gia bảo hiểm thất nghiệp"),
    "hi_total": ("bhyt", "bhyt - tổng số", "tổng số người tham gia bhyt", "tổng bhyt", "tham gia bhyt"),
    "hi_household": ("bhyt - hộ gia đình", "bhyt hgđ", "hộ gia đình", "bhyt hộ gia đình - tổng số"),
    "hi_pupils_students": ("bhyt - học sinh, sinh viên", "bhyt hssv", "hssv", "học sinh, sinh viên"),
    "hi_poor_near_poor": ("bhyt - hộ nghèo, cận nghèo", "hộ nghèo, cận nghèo", "nghèo, cận nghèo"),
    "hi_state_budget": ("bhyt - ngân sách nhà nước đóng", "nsnn đóng", "ngân sách nhà nước đóng", "ngân sách đóng"),
    "hi_employer": (
        "bhyt - người lao động, người sử dụng lao động đóng",
        "bhyt - nlđ, nsdlđ đóng",
        "nlđ, nsdlđ đóng",
        "người sử dụng lao động đóng",
        "doanh nghiệp đóng",
    ),
    "hi_other": ("bhyt - nhóm khác", "bhyt - khác", "bhyt - đối tượng khác", "nhóm khác", "đối tượng khác"),
    "si_voluntary_new": ("bhxh tự nguyện - tăng mới", "bhxh tn tăng mới", "bhxh tự nguyện - mới"),
    "si_voluntary_renewed": ("bhxh tự nguyện - gia hạn", "bhxh tn tái tục", "bhxh tự nguyện - tiếp tục đóng"),
    "si_voluntary_lapsed": ("bhxh tự nguyện - giảm", "bhxh tn dừng đóng", "bhxh tự nguyện - ngừng đóng"),
    "hi_household_new": ("bhyt hộ gia đình - tăng mới", "bhyt hgđ tăng mới", "hộ gia đình - tham gia mới"),
    "hi_household_renewed": ("bhyt hộ gia đình - gia hạn", "bhyt hgđ tái tục", "hộ gia đình - tái tục"),
    "hi_household_lapsed": ("bhyt hộ gia đình - giảm", "bhyt hgđ dừng đóng", "hộ gia đình - dừng đóng"),
    "labour_force": ("lực lượng lao động", "lllđ", "lao động trong độ tuổi", "lực lượng lao động trong độ tuổi"),
    "population": ("dân số trung bình", "tổng dân số", "số dân"),
}


def columns() -> list[Column]:
    base = [
        Column(
            "unit",
            "Mã đơn vị",
            required=True,
            synonyms=("mã đvhc", "mã địa bàn", "mã tỉnh", "mã xã", "mã huyện", "mã đv", "mã"),
            max_length=20,
        ),
        Column("unit_name", "Tên đơn vị", synonyms=("đơn vị", "địa bàn", "tỉnh, thành phố", "tên địa bàn")),
        Column(
            "month",
            "Tháng",
            required=True,
            synonyms=("kỳ báo cáo", "tháng báo cáo", "kỳ", "tháng/năm", "thời gian"),
            max_length=40,
        ),
        Column("year", "Năm", kind="int", min_value=2000, max_value=2100, synonyms=("năm báo cáo",)),
    ]
    figures = [
        Column(key, str(label), kind="int", min_value=0, synonyms=SYNONYMS.get(key, ()))
        for key, label in FIGURES.items()
    ]
    denominators = [
        Column(key, str(label), kind="int", min_value=1, synonyms=SYNONYMS.get(key, ()))
        for key, label in DENOMINATORS.items()
    ]
    return base + figures + denominators
