"""Every listener of the app, registered by Slack surface (as ``listeners/__init__.py`` does in Slack's
Bolt starter template)."""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, events, selfeval

# Every module that registers listeners; tests check them against manifest.yml.
REGISTRARS = (events.register, commands.register, actions.register, selfeval.register)


def register_listeners(app: App) -> None:
    for register in REGISTRARS:
        register(app)
