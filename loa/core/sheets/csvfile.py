"""CSV files: guess the encoding (UTF-8, UTF-16 from "Unicode text", legacy cp1258) and the delimiter."""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections import Counter
from collections.abc import Iterator

from .header import Merge, SheetRow
from .model import FileError, FileProblem

_SNIFF_LINES = 50
_DELIMITERS = (";", "\t", ",")  # on a tie ";" wins: it is what Excel writes where the decimal mark is ","


class CsvSheet:
    merges: tuple[Merge, ...] = ()

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        # Classic Mac files end lines with a bare CR, which the csv module refuses outside quotes.
        self._text = text.replace("\r", "\n") if "\n" not in text[:65536] else text
        self.delimiter = sniff_delimiter(self._text)
        self.size_hint: int | None = self._text.count("\n") + 1

    def rows(self) -> Iterator[SheetRow]:
        # Records, not physical lines: a quoted cell with a line break is still one row, as Excel shows it.
        yield from enumerate(csv.reader(_lines(self._text), delimiter=self.delimiter), 1)


def decode(data: bytes, filename: str) -> str:
    """The file as text; raises FileProblem explaining why it is not a readable CSV."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _try(data, "utf-16")  # Excel's "Unicode Text" export
    elif b"\x00" in data[:65536]:
        raise _binary(filename)
    else:
        text = _try(data, "utf-8-sig")
        text = text if text is not None else _try(data, "cp1258")
    if text is None:
        raise FileProblem(
            FileError(
                "encoding",
                f"Không nhận ra bảng mã của tệp “{filename}”. Hãy mở tệp bằng Excel và lưu lại dạng "
                "“CSV UTF-8 (Comma delimited)” rồi tải lên lại.",
            )
        )
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
    if controls > max(3, len(sample) // 200):
        raise _binary(filename)
    return text


def sniff_delimiter(text: str) -> str:
    sample = [line for _, line in zip(range(_SNIFF_LINES), _lines(text), strict=False)]

    def consistency(delimiter: str) -> tuple[int, int]:
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=delimiter) if any(c.strip() for c in row)]
        except csv.Error:
            return 0, 0
        if not counts:
            return 0, 0
        width, lines = Counter(counts).most_common(1)[0]
        return (lines, width) if width > 1 else (0, 0)

    return max(_DELIMITERS, key=lambda delimiter: (consistency(delimiter), -_DELIMITERS.index(delimiter)))


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _binary(filename: str) -> FileProblem:
    return FileProblem(
        FileError("binary", f"Tệp “{filename}” chứa dữ liệu nhị phân, không phải là tệp CSV dạng văn bản.")
    )


def _lines(text: str) -> Iterator[str]:
    """Lines one at a time, so a large CSV is never split into a list of millions of strings."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end
