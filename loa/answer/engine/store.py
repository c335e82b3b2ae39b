"""An engine built from the shipped seed files and cached on disk, for the CLI, the evaluation and the
benchmarks (no Django, no database). The cache is rebuilt when the seed files or the engine format change."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from loa.answer.engine import dense as dense_mod
from loa.answer.engine.core import FORMAT, Engine
from loa.answer.engine.data import SEED, shipped_articles, shipped_bank

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[3]


def data_dir() -> Path:
    """LOA_DATA_DIR (as the Django settings read it), else var/ in the repository."""
    value = (os.environ.get("LOA_DATA_DIR") or "").strip()
    return Path(value) if value else REPO / "var"


def seed_fingerprint(seed: Path = SEED) -> str:
    """Changes with the seed files and with the engine's own code, so a stale cache is never served."""
    digest = hashlib.sha1(f"format={FORMAT}".encode())
    code = Path(__file__).parent
    for root, path in [*((seed, p) for p in sorted(seed.rglob("*"))), *((code, p) for p in sorted(code.glob("*.py")))]:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def dense_cache_path() -> Path:
    return data_dir() / "answer" / "dense-vectors.npz"


def cached_engine(use_dense: bool = False, rebuild: bool = False) -> Engine:
    use_dense = use_dense and dense_mod.available()
    name = f"seed-engine-{seed_fingerprint()}{'-dense' if use_dense else ''}.pkl"
    path = data_dir() / "answer" / name
    if path.exists() and not rebuild:
        try:
            return Engine.load(path)
        except Exception as exc:  # a stale or truncated cache is rebuilt, not fatal
            log.warning("rebuilding %s: %s", path, exc)
    engine = Engine.build(shipped_articles(), shipped_bank(), use_dense=use_dense, dense_cache=dense_cache_path())
    try:
        engine.save(path)
        for old in path.parent.glob("seed-engine-*.pkl"):
            if old != path and old.name.endswith("-dense.pkl") == use_dense:
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only data directory costs a rebuild next time, not the answer
        log.warning("engine cache not written to %s: %s", path, exc)
    return engine
