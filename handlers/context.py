"""What every listener needs, built once per process by the composition root (``kensho.app``) and
found by each listener in Bolt's context: ``services_of(context)``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.ask import Asker
from handlers.charts import ChartWorker
from store.db import Database

SERVICES = "kensho_services"  # the key in Bolt's context


def _as_is(user_id: str) -> str:
    return user_id


@dataclass
class Services:
    db: Database
    asker: Asker
    charts: ChartWorker = field(default_factory=ChartWorker)
    # A Slack user id -> the name people know (handlers.names.DisplayNames, set by kensho.app.build_app).
    names: Callable[[str], str] = field(default=_as_is)


def services_of(context: Mapping[str, Any]) -> Services:
    """The Services a middleware put into this request's context."""
    return context[SERVICES]  # type: ignore[no-any-return]


def provide(services: Services) -> Callable[..., Any]:
    """A global Bolt middleware that puts ``services`` into every request's context, before any other
    middleware of kensho's (the event dedupe needs the database) and every listener."""

    def provide_services(context: dict[str, Any], next: Callable[[], Any]) -> Any:
        context[SERVICES] = services
        return next()

    return provide_services
