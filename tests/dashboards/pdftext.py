"""Just enough PDF reading for tests: the text of a PDF written by fpdf2 with embedded TrueType fonts.

fpdf2 writes each font's ToUnicode CMap (glyph code → Unicode) and page content streams (Flate-compressed) where
text is shown with `(...) Tj` in 2-byte glyph codes. This decodes those; it is not a general PDF parser.
"""

from __future__ import annotations

import re
import zlib

OBJ = re.compile(rb"(?:^|\n)(\d+) 0 obj\n")
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number → (dictionary text, decoded stream bytes or b""), slicing streams by their /Length."""
    out: dict[int, tuple[bytes, bytes]] = {}
    for match in OBJ.finditer(data):
        start = match.end()
        head_end = data.find(b"endobj", start)
        stream_at = data.find(b"stream", start, head_end if head_end != -1 else None)
        if stream_at == -1:
            out[int(match.group(1))] = (data[start:head_end], b"")
            continue
        head = data[start:stream_at]
        length = re.search(rb"/Length (\d+)", head)
        body_start = stream_at + len(b"stream") + (2 if data[stream_at + 6 : stream_at + 8] == b"\r\n" else 1)
        raw = data[body_start : body_start + int(length.group(1))] if length else b""
        out[int(match.group(1))] = (head, zlib.decompress(raw) if b"/FlateDecode" in head else raw)
    return out


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"(?s)beginbfchar(.*?)endbfchar", data):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"(?s)beginbfrange(.*?)endbfrange", data):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + i)
    return mapping


def _literal(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i : i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        if nxt in ESCAPES:
            out += ESCAPES[nxt]
            i += 2
        elif nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            assert digits is not None
            out.append(int(digits.group(0), 8) & 0xFF)
            i += 1 + len(digits.group(0))
        else:
            i += 2 if nxt in (b"\n", b"\r") else 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    objects = _objects(data)
    fonts: dict[bytes, dict[int, str]] = {}
    for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        head, _stream = objects.get(int(ref), (b"", b""))
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if to_unicode:
            fonts[name] = _cmap(objects[int(to_unicode.group(1))][1])
    lines: list[str] = []
    for _head, content in objects.values():
        if b"Tj" not in content:
            continue
        current: dict[int, str] = {}
        for font, literal in re.findall(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content, flags=re.S):
            if font:
                current = fonts.get(font, {})
                continue
            codes = _literal(literal)
            glyphs = (int.from_bytes(codes[i : i + 2], "big") for i in range(0, len(codes), 2))
            lines.append("".join(current.get(g, "") for g in glyphs))
    return "\n".join(lines)
