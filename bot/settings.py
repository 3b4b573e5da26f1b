"""Configuration from the environment, validated in one place (pydantic-settings)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from store.db import default_database_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(default_factory=default_database_url, validation_alias="KENSHO_DATABASE_URL")
    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_API_URL"))
    log_level: str = Field(default="INFO", validation_alias="KENSHO_LOG_LEVEL")


def load_settings() -> Settings:
    settings = Settings()
    if not settings.database_url.strip():
        settings.database_url = default_database_url()
    return settings
