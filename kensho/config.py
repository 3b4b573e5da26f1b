"""Settings a command cannot run without: ``require`` them, or stop with a ConfigError naming the variable."""

from __future__ import annotations


class ConfigError(Exception):
    """A missing or malformed setting; the message names the environment variable."""


def require(value: str | None, name: str, prefix: str | None, what: str) -> str:
    if not value or not value.strip():
        raise ConfigError(f"環境変数 {name} が設定されていません（{what}）")
    value = value.strip()
    if prefix and not value.startswith(prefix):
        raise ConfigError(f"環境変数 {name} の形式が正しくありません（{prefix} で始まる{what}を設定してください）")
    return value
