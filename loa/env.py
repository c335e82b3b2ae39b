"""Typed readers for LOA_* environment variables that fail loudly on bad values."""

from __future__ import annotations

import os
from collections.abc import Mapping

PREFIX = "LOA_"


class SettingsError(Exception):
    """A LOA_* variable holds a value Loa cannot use; start-up must stop."""


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    value = (environ if environ is not None else os.environ).get(PREFIX + name)
    return value.strip() if value is not None else None


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(
        f"Biến môi trường {PREFIX}{name}={value!r} không hợp lệ: chỉ nhận true/false, 1/0, yes/no, on/off."
    )


def env_int(name: str, default: int, environ: Mapping[str, str] | None = None, *, minimum: int = 0) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"Biến môi trường {PREFIX}{name}={value!r} không hợp lệ: phải là số nguyên.") from None
    if number < minimum:
        raise SettingsError(f"Biến môi trường {PREFIX}{name}={number} không hợp lệ: phải ≥ {minimum}.")
    return number


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str], environ: Mapping[str, str] | None = None) -> str:
    value = env_str(name, default, environ)
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise SettingsError(f"Biến môi trường {PREFIX}{name}={value!r} không hợp lệ: chỉ nhận {allowed}.")
    return value


def database_config(url: str) -> dict[str, object]:
    """Turn LOA_DATABASE_URL into Django's DATABASES entry; only SQLite and PostgreSQL are supported."""
    import dj_database_url

    if not (url.startswith("sqlite:") or url.startswith(("postgres://", "postgresql://"))):
        raise SettingsError(
            f"{PREFIX}DATABASE_URL={url!r} không hợp lệ: dùng sqlite:///đường/dẫn.sqlite3 "
            "hoặc postgresql://người_dùng@máy:cổng/tên_csdl."
        )
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}DATABASE_URL={url!r} không hợp lệ: {exc}") from None
    # Keep connections between requests: a new PostgreSQL connection forks a server process (several ms of CPU
    # per request under load); the health check drops one the server closed.
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    if url.startswith("sqlite:"):
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config
