"""manifest.yml is valid for Slack and declares exactly what the code listens to and calls."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MANIFEST_SCHEMA, ROOT, shared_file

from handlers.listeners import REGISTRARS

MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text("utf-8"))

# Scopes needed by the events we subscribe to and the Web API methods we call.
EVENT_SCOPES = {"app_mention": "app_mentions:read", "message.im": "im:history", "app_home_opened": None}
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "say": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "conversations_open": "im:write",
    "conversations_history": "im:history",
    "users_info": "users:read",
    "views_open": None,
    "views_update": None,
    "views_publish": None,
    "views_push": None,
    "respond": None,
    "files_upload_v2": "files:write",
}


class Recorder:
    """Stands in for a Bolt App and records what each registrar listens to."""

    def __init__(self) -> None:
        self.events: set[str] = set()
        self.commands: set[str] = set()
        self.shortcuts: set[str] = set()
        self.interactive = 0

    def _record(self, bucket: set[str] | None, key: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        if bucket is not None:
            bucket.add(key if isinstance(key, str) else json.dumps(key, sort_keys=True, default=str))
        return lambda f: f

    def event(self, key: Any, **_: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._record(self.events, key)

    def command(self, key: Any, **_: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._record(self.commands, key)

    def shortcut(self, key: Any, **_: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self._record(self.shortcuts, key)

    def action(self, key: Any, **_: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        self.interactive += 1
        return self._record(None, key)

    view = options = action


@pytest.fixture(scope="module")
def recorded() -> Recorder:
    recorder = Recorder()
    for register in REGISTRARS:
        register(recorder)  # type: ignore[arg-type]
    return recorder


def test_manifest_validates_against_slacks_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(shared_file(MANIFEST_SCHEMA).read_text("utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(MANIFEST)]
    assert errors == []


def test_display_information_is_japanese_and_within_limits() -> None:
    info = MANIFEST["display_information"]
    assert len(info["name"]) <= 35 and len(info["description"]) <= 140
    assert re.search(r"[ぁ-んァ-ン一-龥]", info["description"])


def test_users_can_dm_the_bot() -> None:
    home = MANIFEST["features"]["app_home"]
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is False


def test_every_subscribed_event_has_a_listener_and_back(recorded: Recorder) -> None:
    declared = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    # Our "message" listener serves direct messages only, which Slack delivers as message.im.
    listened = {"message.im" if e == "message" else e for e in recorded.events}
    assert listened == declared


def test_slash_commands_and_shortcuts_match(recorded: Recorder) -> None:
    assert {c["command"] for c in MANIFEST["features"]["slash_commands"]} == recorded.commands
    declared_shortcuts = {s["callback_id"] for s in MANIFEST["features"].get("shortcuts", [])}
    assert declared_shortcuts == recorded.shortcuts
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is (recorded.interactive > 0)


def test_bot_scopes_are_exactly_those_the_code_needs(recorded: Recorder) -> None:
    needed = {EVENT_SCOPES[e] for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]}
    if recorded.commands:
        needed.add("commands")
    sources = "\n".join(p.read_text("utf-8") for p in (ROOT / "handlers").glob("*.py"))
    sources += "\n".join(p.read_text("utf-8") for p in (ROOT / "bot").glob("*.py"))
    for method, scope in METHOD_SCOPES.items():
        if re.search(rf"\b{method}\(", sources):
            needed.add(scope)
    called = set(re.findall(r"client\.([a-z]+_[a-zA-Z_]+)\(", sources))
    assert called <= set(METHOD_SCOPES), f"add the scope of {called - set(METHOD_SCOPES)} to METHOD_SCOPES"
    needed.discard(None)
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed


def test_readme_explains_creating_the_app_from_the_manifest() -> None:
    readme = Path(ROOT / "README.md")
    if not readme.exists():
        pytest.fail("README.md is missing")
    assert "manifest.yml" in readme.read_text("utf-8")
