"""`kensho committee …` and `kensho remind`: deadlines and reminders from the shell (cron-friendly)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot import committees as K
from bot.reminders import plan, run, slot_label
from bot.schedule import TOKYO
from bot.settings import load_settings
from store.committees import CommitteeError
from store.db import Database

OpenDb = Callable[[], Database]


def register(sub: Any, open_db: OpenDb) -> None:
    com = sub.add_parser(
        "committee",
        help="外部有識者会議（委員会）と提出期限を管理します",
        description="委員会の名前・提出締切（日本時間）・開催日・対象年度を管理します。",
    )
    csub = com.add_subparsers(dest="committee_command", metavar="ACTION", required=True)
    add = csub.add_parser(
        "add",
        help="例: kensho committee add 第1回委員会 --deadline 2026-06-15T17:00 --meeting 2026-07-10 --year 令和7年度",
    )
    add.add_argument("name", help="委員会名")
    add.add_argument("--deadline", required=True, help="提出締切（日本時間、例: 2026-06-15T17:00）")
    add.add_argument("--meeting", help="開催日（例: 2026-07-10）")
    add.add_argument("--year", required=True, help="対象年度（例: 令和7年度、R7、2025）")
    add.set_defaults(
        func=lambda a: _do(lambda: print(K.add(open_db(), K.CommitteeInput(a.name, a.deadline, a.meeting, a.year))))
    )
    ed = csub.add_parser("edit", help="締切・開催日・年度・名前を変更します")
    ed.add_argument("name", help="委員会名")
    ed.add_argument("--deadline")
    ed.add_argument("--meeting")
    ed.add_argument("--year")
    ed.add_argument("--rename", help="新しい名前")
    ed.set_defaults(
        func=lambda a: _do(
            lambda: print(K.edit(open_db(), K.CommitteeInput(a.name, a.deadline, a.meeting, a.year), a.rename))
        )
    )
    rm = csub.add_parser("remove", help="委員会を削除します")
    rm.add_argument("name")
    rm.set_defaults(func=lambda a: _do(lambda: print(K.remove(open_db(), a.name))))
    ls = csub.add_parser("list", help="委員会と締切を表示します")
    ls.set_defaults(func=lambda a: _do(lambda: print("\n".join(K.listing(open_db(), datetime.now(UTC))))))

    rem = sub.add_parser(
        "remind",
        help="締切前のお知らせを送ります（cron から毎分〜毎時実行できます）",
        description="今送るべきお知らせを1回だけ送ります。--dry-run なら送らず、記録もせず、"
        "送る予定の内容だけを表示します。",
    )
    rem.add_argument("--dry-run", action="store_true", help="送らずに内容を表示します（記録も変更しません）")
    rem.add_argument("--at", help="--dry-run で、この日時（日本時間、例: 2026-06-08T09:30）に送るものを表示します")
    rem.add_argument("--json", action="store_true", help="JSON Lines で出力します")
    rem.set_defaults(func=lambda a: _remind(open_db, a))


def _do(action: Callable[[], None]) -> int:
    try:
        action()
    except CommitteeError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 1
    return 0


def _moment(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)).astimezone(UTC)


def _remind(open_db: OpenDb, args: argparse.Namespace) -> int:
    settings = load_settings()
    options = {"offsets": settings.reminder_offsets, "at": settings.reminder_time}
    if args.at and not args.dry_run:
        print(
            "エラー: --at は --dry-run と一緒に使ってください（実際の送信は常に現在時刻で判断します）。",
            file=sys.stderr,
        )
        return 2
    try:
        now = _moment(args.at)
    except ValueError:
        print(f"エラー: --at の日時を読めません（例: 2026-06-08T09:30）：{args.at}", file=sys.stderr)
        return 2
    db = open_db()
    if args.dry_run:
        reminders = plan(db, now, **options)
        for r in reminders:
            if args.json:
                print(json.dumps(r.to_json(), ensure_ascii=False))
            else:
                print(
                    f"{r.recipient}\t{r.committee}\t{slot_label(r.slot)}\t{'、'.join(r.departments)}\t"
                    f"{'、'.join(p.project for p in r.projects)}"
                )
        if not args.json:
            print(f"（送信予定 {len(reminders)}件。--dry-run のため送信していません）", file=sys.stderr)
        return 0
    from handlers.client import web_client
    from handlers.reminders import SlackSender
    from kensho.config import ConfigError, require

    try:
        token = require(settings.slack_bot_token, "SLACK_BOT_TOKEN", "xoxb-", "ボットトークン")
    except ConfigError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    report = run(db, SlackSender(web_client(token, settings.slack_api_url)), now, **options)
    for recipient, reason in report.undeliverable:
        print(f"送信できませんでした: {recipient}（{reason}）", file=sys.stderr)
    print(
        f"送信 {len(report.sent)}件、送信済みのため省略 {report.already}件、送信不可 {len(report.undeliverable)}件、"
        f"再送 {report.resent}件、再確認で送信済み {report.recovered}件、一時的な失敗 {report.transient}件"
    )
    return 1 if report.transient else 0
