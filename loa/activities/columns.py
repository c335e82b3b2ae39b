"""The activity sheet's columns: our template's headers, with the spellings units use in their own sheets."""

from __future__ import annotations

from dataclasses import replace

from loa.catalogues.models import Form
from loa.core.sheets import Column

BASE = [
    Column("unit", "Mã đơn vị", synonyms=("mã cơ quan", "đơn vị", "mã đv")),
    Column("form", "Hình thức", required=True, synonyms=("hình thức truyền thông", "loại hoạt động", "loại hình")),
    Column(
        "title",
        "Tên hoạt động",
        required=True,
        max_length=300,
        synonyms=("nội dung", "nội dung hoạt động", "tên", "tiêu đề", "hoạt động"),
    ),
    Column(
        "start_date",
        "Ngày bắt đầu",
        kind="date",
        required=True,
        synonyms=("ngày", "ngày thực hiện", "thời gian", "ngày tổ chức"),
    ),
    Column("end_date", "Ngày kết thúc", kind="date"),
    Column("commune", "Mã xã", synonyms=("địa bàn", "mã xã phường", "xã phường")),
    Column(
        "attendees",
        "Số người tham dự",
        kind="int",
        min_value=0,
        synonyms=("số người", "số người dự", "người tham gia", "số lượt người", "số người tham gia"),
    ),
    Column("quantity", "Số lượng", kind="int", min_value=1, synonyms=("số buổi", "số lần", "số tin bài", "số bản")),
    Column("signups", "Số người đăng ký tại chỗ", kind="int", min_value=0, synonyms=("số người đăng ký",)),
    Column("reach", "Lượt tiếp cận", kind="int", min_value=0, synonyms=("lượt xem", "lượt tương tác")),
    Column(
        "cost_agency",
        "Kinh phí ngành BHXH (đồng)",
        kind="money",
        min_value=0,
        synonyms=("kinh phí", "kinh phí (đồng)", "chi phí", "kinh phí - ngân sách ngành", "tổng kinh phí"),
    ),
    Column(
        "cost_socialised",
        "Kinh phí xã hội hóa (đồng)",
        kind="money",
        min_value=0,
        synonyms=("kinh phí - xã hội hóa", "xã hội hóa"),
    ),
    Column("languages", "Ngôn ngữ", synonyms=("tiếng",)),
    Column("topics", "Chủ đề"),
    Column("partners", "Đơn vị phối hợp", synonyms=("phối hợp với",)),
    Column("link", "Đường dẫn", synonyms=("link", "minh chứng")),
    Column("outlet", "Cơ quan báo chí", synonyms=("báo", "tên báo", "cơ quan đăng tải")),
]


def form_choices() -> dict[str, str]:
    """Every accepted spelling of a form (its code, its name, short names) → the form's code."""
    choices: dict[str, str] = {}
    for form in Form.objects.filter(active=True):
        choices[form.code] = form.code
        choices[form.name] = form.code
        choices[form.name.split(",")[0]] = form.code
        if form.name_en:
            choices[form.name_en] = form.code
    choices.update(
        {
            "hội nghị": "conference",
            "đối thoại": "conference",
            "tư vấn": "conference",
            "nhóm nhỏ": "small_group",
            "ra quân": "launch_day",
            "loa": "loudspeaker",
            "phát thanh": "loudspeaker",
            "tin bài": "press_item",
            "báo chí": "press_item",
            "mạng xã hội": "social_post",
            "tờ rơi": "printed_matter",
            "tập huấn": "training",
        }
    )
    return choices


def columns() -> list[Column]:
    """BASE with the form column turned into a choice among the catalogue's current forms."""
    return [replace(c, kind="choice", choices=form_choices()) if c.key == "form" else c for c in BASE]
