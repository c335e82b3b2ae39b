"""Vietnamese text normalisation for retrieval: one canonical accented form, a diacritic-free (folded) form,
and syllable/bigram features over both, so that "muc dong bhxh tu nguyen" meets "mức đóng bảo hiểm xã hội tự
nguyện" and "hoà" meets "hòa"."""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from loa.core.text import fold

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook above, dot below
_VOWELS = set("aăâeêioôơuưy")
_SHAPED = set("ăâêôơư")  # vowels whose hat/horn/breve takes the tone
_WORD = re.compile(r"\w+", re.UNICODE)
_MONEY = re.compile(r"\b(\d+)(tr|k)\b")

# Abbreviations keyed by their folded form. DOMAIN ones also occur in legal texts (decrees write "BHXH");
# CHAT ones only in what citizens type ("k", "e", "v" would corrupt point labels "k)", "e)" in articles).
# Ambiguous short forms ("tn" = thất nghiệp / tự nguyện / tai nạn) are left alone: a wrong expansion costs more.
DOMAIN: dict[str, str] = {
    "bhxh": "bảo hiểm xã hội", "bhyt": "bảo hiểm y tế", "bhtn": "bảo hiểm thất nghiệp",
    "bhxhtn": "bảo hiểm xã hội tự nguyện", "bhtnld": "bảo hiểm tai nạn lao động",
    "nld": "người lao động", "nsdld": "người sử dụng lao động", "sdld": "sử dụng lao động",
    "hdld": "hợp đồng lao động", "tnld": "tai nạn lao động", "bnn": "bệnh nghề nghiệp",
    "tctn": "trợ cấp thất nghiệp", "kcb": "khám chữa bệnh", "kcbbd": "khám chữa bệnh ban đầu",
    "hssv": "học sinh sinh viên", "ubnd": "ủy ban nhân dân", "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân", "vssid": "ứng dụng vssid bảo hiểm xã hội số",
}
CHAT: dict[str, str] = {
    "bh": "bảo hiểm", "xh": "xã hội", "hd": "hợp đồng", "ts": "thai sản", "lh": "lương hưu",
    "hs": "học sinh", "sv": "sinh viên", "cty": "công ty", "dn": "doanh nghiệp", "nv": "nhân viên", "cb": "cán bộ",
    "cc": "công chức", "vc": "viên chức", "ctv": "cộng tác viên", "bv": "bệnh viện", "dvc": "dịch vụ công",
    "bq": "bình quân", "gd": "gia đình", "ck": "chồng", "vk": "vợ", "dk": "điều kiện đăng ký",
    "ko": "không", "k": "không", "kh": "không", "hk": "không", "hok": "không", "khum": "không", "kg": "không",
    "dc": "được", "j": "gì", "ji": "gì", "ntn": "như thế nào", "bn": "bao nhiêu", "bnhiu": "bao nhiêu",
    "nhiu": "nhiêu", "z": "vậy", "v": "vậy", "dzay": "vậy", "r": "rồi", "vs": "với", "trc": "trước",
    "ng": "người", "mn": "mọi người", "lm": "làm", "e": "em", "mik": "mình", "mk": "mình", "tr": "triệu",
    "tg": "thời gian", "cv": "công việc", "ad": "quản trị viên", "pai": "phải",
}
_ALL = {**DOMAIN, **CHAT}


def _place_tone(chars: list[str], tone: str) -> list[str]:
    """Put the tone on one vowel by a fixed rule (old style: hòa, thúy, hoàng), whatever the input did."""
    start = 0
    word = "".join(chars)
    if word.startswith("qu") or (word.startswith("gi") and len(word) > 2 and word[2] in _VOWELS):
        start = 2
    vowels = [i for i in range(start, len(chars)) if chars[i] in _VOWELS]
    if not vowels:
        vowels = [i for i in range(len(chars)) if chars[i] in _VOWELS]
        if not vowels:
            return chars
    cluster = [vowels[0]]
    for i in vowels[1:]:
        if i == cluster[-1] + 1:
            cluster.append(i)
    shaped = [i for i in cluster if chars[i] in _SHAPED]
    closed = cluster[-1] + 1 < len(chars)
    if shaped:
        pos = shaped[-1]
    elif len(cluster) == 1 or closed:
        pos = cluster[-1]
    elif len(cluster) == 3:
        pos = cluster[1]
    else:
        pos = cluster[0]
    chars[pos] = chars[pos] + tone
    return chars


def canonical_tones(word: str) -> str:
    """One spelling per syllable: strip the tone mark and put it back by rule ('hoà' and 'hòa' -> 'hòa')."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = next((ch for ch in decomposed if ch in _TONES), None)
    if tone is None:
        return word
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return unicodedata.normalize("NFC", "".join(_place_tone(list(base), tone)))


def _fix_chat_spelling(word: str) -> str:
    """Chat spelling drops the n of a final -ng ('đóg', 'lươg'); no Vietnamese syllable ends in a bare g."""
    if len(word) > 1 and word.endswith("g") and fold(word[-2]) in _VOWELS:
        return word[:-1] + "ng"
    return word


def _expand(word: str, table: dict[str, str]) -> str:
    # Only a word typed as written in the table (or with đ) is expanded: "bà" must not become "ba" -> anything.
    key = fold(word)
    return table.get(key, word) if word.replace("đ", "d") == key else word


@lru_cache(maxsize=1 << 18)
def _word(word: str, chat: bool) -> str:
    # Vietnamese has a few thousand syllables: caching per word makes normalising a whole corpus cheap.
    word = canonical_tones(_fix_chat_spelling(word) if chat else word)
    return _expand(word, _ALL if chat else DOMAIN)


@lru_cache(maxsize=1 << 18)
def fold_word(word: str) -> str:
    return fold(word)


def normalize(text: str, chat: bool = True) -> str:
    """NFC, lower case, canonical tone placement, abbreviations expanded (chat ones only if chat); keeps
    diacritics."""
    text = unicodedata.normalize("NFC", text).lower().replace("\u00a0", " ")
    text = _MONEY.sub(lambda m: f"{m.group(1)} {'triệu' if m.group(2) == 'tr' else 'nghìn'}", text)
    return " ".join(_word(word, chat) for word in _WORD.findall(text))


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def syllables(text: str, chat: bool = True) -> list[str]:
    return normalize(text, chat).split()


def _grams(tokens: list[str], prefix: str) -> list[str]:
    feats = [prefix + t for t in tokens]
    feats.extend(f"{prefix}{a}_{b}" for a, b in itertools.pairwise(tokens))
    return feats


def features(text: str, accented: bool | None = None, chat: bool = True) -> list[str]:
    """Folded syllables and bigrams, plus accented ones (marked '^') when the text carries diacritics.

    Documents always get both; a query typed without any diacritics gets only the folded family, so it is
    scored on the same footing as an accented query minus the accent evidence it never had."""
    words = normalize(text, chat).split()
    if accented is None:
        accented = has_diacritics(text)
    feats = _grams([fold_word(w) for w in words], "")
    if accented:
        feats.extend(_grams(words, "^"))
    return feats


def folded(text: str, chat: bool = True) -> str:
    """Normalised and diacritic-free: the form the character n-gram matcher sees."""
    return " ".join(fold_word(w) for w in normalize(text, chat).split())
