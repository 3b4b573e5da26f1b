"""`kensho serve`: the Slack bot, in Socket Mode or over HTTP (one or several worker processes)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bot.settings import load_settings
from kensho.config import ConfigError, require
from store.db import Database

OpenDb = Callable[[], Database]


def register(sub: Any, open_db: OpenDb) -> None:
    serve = sub.add_parser(
        "serve",
        help="Slack ボットを起動します（Socket Mode、または --http）",
        description="SLACK_APP_TOKEN があれば Socket Mode で、--http なら HTTP で起動します。",
    )
    serve.add_argument("--http", action="store_true", help="HTTP モード（POST /slack/events, GET /healthz）")
    serve.add_argument("--port", type=int, default=3000, help="HTTP モードのポート（既定: 3000、0 で空きポート）")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP モードの待ち受けアドレス（既定: 0.0.0.0）")
    serve.add_argument(
        "--workers", type=int, default=1, help="HTTP モードのワーカープロセス数（既定: 1。CPU コア数までが目安）"
    )
    serve.set_defaults(func=lambda a: cmd_serve(a, open_db))


def cmd_serve(args: argparse.Namespace, open_db: OpenDb) -> int:
    settings = load_settings()
    token = require(settings.slack_bot_token, "SLACK_BOT_TOKEN", "xoxb-", "ボットトークン")
    if args.http:
        secret = require(settings.slack_signing_secret, "SLACK_SIGNING_SECRET", None, "署名シークレット")
        app_token = None
    else:
        secret = settings.slack_signing_secret
        app_token = require(settings.slack_app_token, "SLACK_APP_TOKEN", "xapp-", "アプリレベルトークン")
    if settings.slack_api_url and not settings.slack_api_url.startswith(("http://", "https://")):
        raise ConfigError("環境変数 SLACK_API_URL の形式が正しくありません（https:// で始まるURL）")
    api_url = settings.slack_api_url
    if api_url and not api_url.endswith("/"):
        api_url += "/"

    from handlers.client import check_slack
    from handlers.reminders import ReminderScheduler
    from handlers.server import run_http, serve_socket_mode
    from kensho.app import build_app, build_services

    url = settings.database_url
    open_db().dispose()  # migrate and load once, before any worker starts
    check_slack(token, api_url, app_token)  # a wrong token or an unreachable Slack: one line, before any worker

    def build():  # type: ignore[no-untyped-def]
        from store.db import open_database

        db = open_database(url, seed=False)  # set up once above, before the workers
        app = build_app(
            build_services(db, issuer=settings.issuer),
            token=token,
            signing_secret=secret,
            api_url=api_url,
            socket_mode=not args.http,
        )
        # Every process checks reminders; the claims in the database make each one go out once.
        ReminderScheduler(db, app.client, offsets=settings.reminder_offsets, at=settings.reminder_time).start()
        return app, db

    if args.http:
        run_http(build, args.host, args.port, max(1, args.workers))
        return 0
    assert app_token is not None
    app, _ = build()
    print("kensho: Socket Mode で接続します", flush=True)
    serve_socket_mode(app, app_token)
    return 0
