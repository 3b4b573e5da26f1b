"""Configuration from the environment, validated in one place (pydantic-settings)."""

from __future__ import annotations

import os
from datetime import time
from typing import Annotated

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from store.db import default_database_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(default_factory=default_database_url, validation_alias="KENSHO_DATABASE_URL")
    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_API_URL"))
    log_level: str = Field(default="INFO", validation_alias="KENSHO_LOG_LEVEL")
    issuer: str = Field(default="群馬県", validation_alias="KENSHO_ISSUER", min_length=1, max_length=100)
    reminder_offsets: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(7, 3, 1, 0), validation_alias="KENSHO_REMINDER_OFFSETS"
    )
    reminder_time: time = Field(default=time(9, 30), validation_alias="KENSHO_REMINDER_TIME")

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> object:
        if isinstance(value, str):  # "7,3,1,0"
            try:
                numbers = tuple(int(v) for v in value.replace(" ", "").split(",") if v)
            except ValueError:
                raise ValueError(
                    "KENSHO_REMINDER_OFFSETS は「7,3,1,0」のように日数をカンマで区切って指定してください"
                ) from None
            if not numbers or any(n < 0 or n > 60 for n in numbers):
                raise ValueError("KENSHO_REMINDER_OFFSETS の日数は0〜60で指定してください")
            return numbers
        return value

    @field_validator("reminder_time", mode="before")
    @classmethod
    def _time(cls, value: object) -> object:
        if isinstance(value, str):  # "09:30"
            hours, _, minutes = value.strip().partition(":")
            if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
                raise ValueError("「09:30」のように 00:00〜23:59 の時刻（日本時間）で指定してください")
            return time(int(hours), int(minutes))
        return value


class SettingsProblem(Exception):
    """A malformed environment variable; the message names it, in one line."""


def database_problem(url: str, error: Exception) -> SettingsProblem:
    """A database that cannot be opened, in one line naming the variable (never the password)."""
    from sqlalchemy.engine import make_url

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:
        shown = "（URL として読めません）"
    cause = str(getattr(error, "orig", None) or error).strip().splitlines()
    detail = cause[0][:200] if cause else type(error).__name__
    return SettingsProblem(f"環境変数 KENSHO_DATABASE_URL のデータベース（{shown}）を開けませんでした（{detail}）")


def load_settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        alias = Settings.model_fields[field].validation_alias if field in Settings.model_fields else field
        message = str(err.get("ctx", {}).get("error", err["msg"]))
        raise SettingsProblem(f"環境変数 {alias} の値が正しくありません（{message}）") from None
    except SettingsError as exc:
        raise SettingsProblem(f"環境変数の値が正しくありません（{exc}）") from None
    if not settings.database_url.strip():
        settings.database_url = default_database_url()
    return settings


def configured_issuer() -> str:
    """KENSHO_ISSUER: the deployment's own issuer (default 群馬県, the bundled sample's)."""
    name = os.environ.get("KENSHO_ISSUER", "").strip()
    return name or "群馬県"
