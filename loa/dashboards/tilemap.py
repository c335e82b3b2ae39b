"""Hand-made tile grid of Vietnam's provinces: (row, column) per province code, roughly geographic.

Two layouts: the 34 provinces from 01/07/2025 and the 63 provinces before. Codes are the official province codes
(the 2025 provinces keep the code of one of the provinces merged into them). Rows run north → south.
"""

from __future__ import annotations

# 2025 hierarchy: 34 provinces, 5 columns, 19 rows.
LAYOUT_2025: dict[str, tuple[int, int]] = {
    "04": (0, 3),  # Cao Bằng
    "12": (1, 0),  # Lai Châu
    "15": (1, 1),  # Lào Cai
    "08": (1, 2),  # Tuyên Quang
    "19": (1, 3),  # Thái Nguyên
    "20": (1, 4),  # Lạng Sơn
    "11": (2, 0),  # Điện Biên
    "14": (2, 1),  # Sơn La
    "25": (2, 2),  # Phú Thọ
    "24": (2, 3),  # Bắc Ninh
    "22": (2, 4),  # Quảng Ninh
    "01": (3, 2),  # Hà Nội
    "33": (3, 3),  # Hưng Yên
    "31": (3, 4),  # Hải Phòng
    "38": (4, 1),  # Thanh Hóa
    "37": (4, 2),  # Ninh Bình
    "40": (5, 1),  # Nghệ An
    "42": (6, 2),  # Hà Tĩnh
    "44": (7, 2),  # Quảng Trị
    "46": (8, 3),  # Huế
    "48": (9, 3),  # Đà Nẵng
    "51": (10, 3),  # Quảng Ngãi
    "52": (11, 3),  # Gia Lai
    "66": (12, 3),  # Đắk Lắk
    "68": (13, 2),  # Lâm Đồng
    "56": (13, 3),  # Khánh Hòa
    "75": (14, 2),  # Đồng Nai
    "80": (15, 1),  # Tây Ninh
    "79": (15, 2),  # TP Hồ Chí Minh
    "91": (16, 0),  # An Giang
    "82": (16, 1),  # Đồng Tháp
    "86": (16, 2),  # Vĩnh Long
    "92": (17, 1),  # Cần Thơ
    "96": (18, 0),  # Cà Mau
}

# Before 01/07/2025: 63 provinces, 6 columns, 24 rows.
LAYOUT_PRE2025: dict[str, tuple[int, int]] = {
    "02": (0, 2),  # Hà Giang
    "04": (0, 3),  # Cao Bằng
    "12": (1, 0),  # Lai Châu
    "10": (1, 1),  # Lào Cai
    "08": (1, 2),  # Tuyên Quang
    "06": (1, 3),  # Bắc Kạn
    "20": (1, 4),  # Lạng Sơn
    "11": (2, 0),  # Điện Biên
    "15": (2, 1),  # Yên Bái
    "19": (2, 2),  # Thái Nguyên
    "24": (2, 3),  # Bắc Giang
    "22": (2, 4),  # Quảng Ninh
    "14": (3, 0),  # Sơn La
    "25": (3, 1),  # Phú Thọ
    "26": (3, 2),  # Vĩnh Phúc
    "27": (3, 3),  # Bắc Ninh
    "30": (3, 4),  # Hải Dương
    "31": (3, 5),  # Hải Phòng
    "17": (4, 1),  # Hoà Bình
    "01": (4, 2),  # Hà Nội
    "33": (4, 3),  # Hưng Yên
    "34": (4, 4),  # Thái Bình
    "35": (5, 2),  # Hà Nam
    "36": (5, 3),  # Nam Định
    "38": (6, 1),  # Thanh Hóa
    "37": (6, 2),  # Ninh Bình
    "40": (7, 1),  # Nghệ An
    "42": (8, 2),  # Hà Tĩnh
    "44": (9, 2),  # Quảng Bình
    "45": (10, 3),  # Quảng Trị
    "46": (11, 3),  # Huế
    "48": (11, 4),  # Đà Nẵng
    "49": (12, 3),  # Quảng Nam
    "51": (12, 4),  # Quảng Ngãi
    "62": (13, 3),  # Kon Tum
    "52": (13, 4),  # Bình Định
    "64": (14, 3),  # Gia Lai
    "54": (14, 4),  # Phú Yên
    "66": (15, 3),  # Đắk Lắk
    "56": (15, 4),  # Khánh Hòa
    "67": (16, 2),  # Đắk Nông
    "68": (16, 3),  # Lâm Đồng
    "58": (16, 4),  # Ninh Thuận
    "70": (17, 2),  # Bình Phước
    "75": (17, 3),  # Đồng Nai
    "60": (17, 4),  # Bình Thuận
    "72": (18, 1),  # Tây Ninh
    "74": (18, 2),  # Bình Dương
    "79": (18, 3),  # TP Hồ Chí Minh
    "77": (18, 4),  # Bà Rịa - Vũng Tàu
    "87": (19, 0),  # Đồng Tháp
    "80": (19, 1),  # Long An
    "82": (19, 2),  # Tiền Giang
    "89": (20, 0),  # An Giang
    "86": (20, 1),  # Vĩnh Long
    "83": (20, 2),  # Bến Tre
    "91": (21, 0),  # Kiên Giang
    "92": (21, 1),  # Cần Thơ
    "84": (21, 2),  # Trà Vinh
    "93": (22, 1),  # Hậu Giang
    "94": (22, 2),  # Sóc Trăng
    "96": (23, 0),  # Cà Mau
    "95": (23, 1),  # Bạc Liêu
}


def layout(hierarchy: str) -> dict[str, tuple[int, int]]:
    return LAYOUT_PRE2025 if hierarchy == "pre2025" else LAYOUT_2025
