"""`kensho issuer add|list|edit`: the issuers (自治体) of the database and their option lists."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from store.db import Database
from store.issuers import (
    KINDS,
    IssuerProblem,
    OptionsFile,
    apply_settings,
    create_issuer,
    find_issuer,
    issuer_summaries,
    read_options_file,
)
from store.records import bump_catalogue_version

OpenDb = Callable[[], Database]


def register(sub: Any, open_db: OpenDb) -> None:
    issuer = sub.add_parser(
        "issuer",
        help="自治体（発行元）と選択肢（今後の方針・事業の評価・KPI達成への有効性）を管理します",
        description="自治体を登録・表示・変更します。選択肢を指定しなければ国の様式の選択肢を使います。",
    )
    isub = issuer.add_subparsers(dest="issuer_command", metavar="ACTION", required=True)
    add = isub.add_parser("add", help="自治体を登録します（例: kensho issuer add 山河県 --options options.toml）")
    add.add_argument("name", help="自治体名（例: 山河県）")
    _settings_arguments(add)
    add.set_defaults(func=lambda a: _add(open_db, a))
    ls = isub.add_parser("list", help="登録されている自治体と選択肢を表示します")
    ls.add_argument("--json", action="store_true", help="JSON で出力します")
    ls.set_defaults(func=lambda a: _list(open_db, a))
    edit = isub.add_parser("edit", help="自治体の種別・計画名・資料名・選択肢を変更します")
    edit.add_argument("name", help="登録済みの自治体名")
    edit.add_argument("--rename", help="新しい自治体名")
    _settings_arguments(edit)
    edit.set_defaults(func=lambda a: _edit(open_db, a))


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kind", choices=KINDS, help="種別（既定: 名前が市区町村で終われば市区町村、それ以外は都道府県）"
    )
    parser.add_argument("--plan", help="地域再生計画の名称")
    parser.add_argument("--source", help="資料名と時点（例: 「資料３（令和6年7月時点）」）。取り込み時の出典の既定値")
    parser.add_argument(
        "--options",
        type=Path,
        help="選択肢を書いた TOML ファイル（policy, evaluation, kpi_effective, kind, plan, source）",
    )


def _fail(message: str) -> int:
    print(f"エラー: {message}。何も変更していません。", file=sys.stderr)
    return 1


def _options(args: argparse.Namespace) -> OptionsFile | None:
    return read_options_file(args.options) if args.options else None


def _add(open_db: OpenDb, args: argparse.Namespace) -> int:
    try:
        options = _options(args)
        db = open_db()
        with db.session() as session:
            issuer = create_issuer(
                session, args.name, kind=args.kind, plan=args.plan, source=args.source, options=options
            )
            bump_catalogue_version(session)
            name = issuer.name
    except IssuerProblem as exc:
        return _fail(str(exc))
    print(f"自治体「{name}」を登録しました。")
    return 0


def _edit(open_db: OpenDb, args: argparse.Namespace) -> int:
    try:
        options = _options(args)
        db = open_db()
        with db.session() as session:
            issuer = find_issuer(session, args.name)
            if issuer is None:
                raise IssuerProblem(f"自治体「{args.name}」は登録されていません（kensho issuer list で確認できます）")
            if args.rename:
                new = args.rename.strip()
                if not new or len(new) > 100:
                    raise IssuerProblem("新しい自治体名を100文字以内で指定してください")
                if new != issuer.name and find_issuer(session, new) is not None:
                    raise IssuerProblem(f"自治体「{new}」は登録済みです")
                issuer.name = new
            apply_settings(session, issuer, kind=args.kind, plan=args.plan, source=args.source, options=options)
            bump_catalogue_version(session)
            name = issuer.name
    except IssuerProblem as exc:
        return _fail(str(exc))
    print(f"自治体「{name}」を変更しました。")
    return 0


def _list(open_db: OpenDb, args: argparse.Namespace) -> int:
    db = open_db()
    with db.session() as session:
        rows = issuer_summaries(session)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("自治体は登録されていません（kensho issuer add 名前 で登録できます）。")
        return 0
    for row in rows:
        years = "、".join(row["years"]) or "データなし"
        print(f"{row['name']}（{row['kind']}）: {row['projects']}事業、{years}")
        if row["plan"]:
            print(f"  計画: {row['plan']}")
        if row["source"]:
            print(f"  資料: {row['source']}")
        print(f"  今後の方針: {'、'.join(row['policy'])}")
        print(f"  事業の評価: {'、'.join(row['evaluation'])}")
        print(f"  KPI達成への有効性: {'、'.join(row['kpi_effective'])}")
    return 0
