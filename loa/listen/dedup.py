"""Every item is stored once: exact duplicates by normalised URL, syndicated near-duplicates grouped into a story.

Pure Python, no Django. Near-duplicates are found with MinHash over word 3-grams of the accent-free title and
summary and an LSH index (bands of 2 rows), then confirmed on the whole signature. Measured cost is a fraction of
a millisecond per item, far below the 300 items/s budget of the whole pipeline.
"""

from __future__ import annotations

import hashlib
import re
import struct
from array import array
from collections.abc import Sequence
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from loa.listen.folding import fold

# Query parameters that only track a click, never change the article.
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|zarsrc|zalo_.*|ref|refer|referer|source|cmpid|mc_[a-z]+|_ga|icid)$")
DEFAULT_PORTS = {"http": "80", "https": "443"}


def url_normalise(url: str) -> str:
    """The key two spellings of one article share: scheme and host lower-cased, default port, fragment and
    tracking parameters dropped, the other parameters sorted, no trailing slash, `http` and `https` alike."""
    raw = url.strip()
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return raw  # social post keys and the like: kept as given
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    if port is not None and str(port) != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/%:@!$&'()*+,;=-._~") or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k.lower())]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def url_hash(url: str) -> str:
    return hashlib.sha1(url_normalise(url).encode("utf-8")).hexdigest()


# --- shingles and MinHash --------------------------------------------------------------------------------

WORD = re.compile(r"\w+")
PERMUTATIONS = 48
BANDS = 24
ROWS = PERMUTATIONS // BANDS
THRESHOLD = 0.5  # estimated Jaccard similarity of the shingle sets from which two items are one story
_MASK64 = (1 << 64) - 1
_FNV = 0x100000001B3


def _coefficients() -> list[tuple[int, int]]:
    """Fixed (a, b) pairs (a odd) derived from a hash, so signatures stored in the database stay comparable."""
    pairs = []
    for i in range(PERMUTATIONS):
        a, b = struct.unpack("<QQ", hashlib.blake2b(f"loa-minhash-{i}".encode(), digest_size=16).digest())
        pairs.append((a | 1, b))
    return pairs


COEFFICIENTS = _coefficients()
try:  # numpy (there with the classifier) computes all permutations at once; pure Python gives the same values
    import numpy as _np

    _A = _np.array([a for a, _b in COEFFICIENTS], dtype=_np.uint64)
    _B = _np.array([b for _a, b in COEFFICIENTS], dtype=_np.uint64)
except ImportError:  # pragma: no cover - numpy missing
    _np = None  # type: ignore[assignment]


def words(text: str) -> list[str]:
    """Accent-free lower-case words (the same tokens saved queries match against)."""
    return WORD.findall(fold(text))


def shingles(text: str, size: int = 3) -> set[str]:
    tokens = words(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def _hashes(grams: set[str]) -> list[int]:
    return [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams]


def _minhash_python(hashes: list[int]) -> tuple[int, ...]:
    return tuple(min(((a * h + b) & _MASK64) >> 32 for h in hashes) for a, b in COEFFICIENTS)


def _minhash_numpy(hashes: list[int]) -> tuple[int, ...]:
    values = _np.array(hashes, dtype=_np.uint64)[:, None] * _A + _B  # wraps modulo 2^64, like the Python path
    return tuple((values >> _np.uint64(32)).min(axis=0).tolist())


def minhash(text: str) -> tuple[int, ...] | None:
    """The signature of a text (None when it has no words): for each of PERMUTATIONS multiply-shift hash functions
    ((a·h + b) mod 2^64) >> 32 over the shingles' 64-bit hashes, the least value."""
    grams = shingles(text)
    if not grams:
        return None
    hashes = _hashes(grams)
    return _minhash_numpy(hashes) if _np is not None else _minhash_python(hashes)


def signature_text(title: str, summary: str) -> str:
    """What near-duplicates are judged on: the title and the first ~80 words of the summary (outlets keep the
    lead and trim or extend the rest)."""
    lead = " ".join(summary.split()[:80])
    return f"{title} {lead}".strip()


def pack(signature: Sequence[int]) -> bytes:
    return array("I", signature).tobytes()


def unpack(data: bytes | memoryview | None) -> tuple[int, ...] | None:
    if not data:
        return None
    values = array("I")
    values.frombytes(bytes(data))
    return tuple(values) if len(values) == PERMUTATIONS else None


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / PERMUTATIONS


WINDOW_S = 7 * 24 * 3600  # syndicated copies appear within days; the same headline a year later is news again


def band_keys(signature: Sequence[int]) -> list[int]:
    """LSH bands of a signature as signed 64-bit keys (storable in a BigIntegerField), mixed FNV-style: two
    signatures sharing any band key are candidates (a rare collision only adds a candidate, checked anyway)."""
    keys = []
    for band in range(BANDS):
        key = band + 1
        for value in signature[band * ROWS : (band + 1) * ROWS]:
            key = ((key ^ value) * _FNV) & _MASK64
        keys.append(key - (1 << 64) if key >= 1 << 63 else key)
    return keys


class NearDupIndex:
    """LSH over MinHash signatures. `best()` returns the key of the most similar signature at or above the
    threshold and within the time window; keys are whatever the caller groups by (a story)."""

    def __init__(self, threshold: float = THRESHOLD, window_s: float = WINDOW_S) -> None:
        self.threshold = threshold
        self.window_s = window_s
        self._entries: list[tuple[object, tuple[int, ...], float | None]] = []
        self._buckets: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(
        self, key: object, signature: Sequence[int], when: float | None = None, keys: list[int] | None = None
    ) -> None:
        entry = len(self._entries)
        self._entries.append((key, tuple(signature), when))
        for band_key in keys or band_keys(signature):
            self._buckets.setdefault(band_key, []).append(entry)

    def best(
        self, signature: Sequence[int], when: float | None = None, keys: list[int] | None = None
    ) -> tuple[object, float] | None:
        """`keys`: the signature's band keys when the caller has them already."""
        candidates: set[int] = set()
        for band_key in keys or band_keys(signature):
            candidates.update(self._buckets.get(band_key, ()))
        found: tuple[object, float] | None = None
        for entry in sorted(candidates):  # oldest first: ties go to the story seen first
            key, other, other_when = self._entries[entry]
            if when is not None and other_when is not None and abs(when - other_when) > self.window_s:
                continue
            score = similarity(signature, other)
            if score >= self.threshold and (found is None or score > found[1]):
                found = (key, score)
        return found
