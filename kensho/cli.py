"""The ``kensho`` command line: ``ask``, ``import``, ``export``, ``chart`` and ``db`` here, the other
commands in ``kensho.cli_*`` (``serve`` in ``kensho.cli_serve``)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.settings import SettingsProblem, database_problem, load_settings
from kensho.config import ConfigError

log = logging.getLogger("kensho")


def _database():  # type: ignore[no-untyped-def]
    """The configured database; an empty one gets the bundled Gunma sample only when KENSHO_ISSUER is
    群馬県 (another issuer's deployment starts empty)."""
    from store.bundled import BUNDLED_ISSUER
    from store.db import open_database

    settings = load_settings()
    url = settings.database_url
    try:
        return open_database(url, seed=settings.issuer == BUNDLED_ISSUER)
    except Exception as exc:  # a bad URL, a server that does not answer …: one line, never a traceback
        log.debug("cannot open the database", exc_info=True)
        raise database_problem(url, exc) from None


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.question:
        yield from args.question
        return
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.ask import ADMINISTRATOR, Asker

    asker = Asker(_database(), issuer=load_settings().issuer)
    status = 0
    for question in _questions(args):
        try:
            answer = asker.ask(question, viewer=args.user or ADMINISTRATOR)
            payload = answer.to_json()
            text = answer.text
        except Exception:  # one bad question must never stop the rest
            log.exception("failed to answer %r", question)
            text = "申し訳ありません。回答中にエラーが発生しました。"
            payload = {
                "question": question,
                "status": "not_found",
                "projects": [],
                "field": None,
                "text": text,
                "error": True,
            }
            status = 1
        if args.json:
            print(json.dumps(payload, ensure_ascii=False), flush=True)
        elif question.strip() or args.question:
            print(text, flush=True)
            if not args.question:
                print(flush=True)
    return status


def cmd_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from store.importer import ImportFailed, import_rows, iter_table

    db = _database()
    issuer = args.issuer or load_settings().issuer
    try:
        path = Path(args.file)
        rows = iter_table(path)  # read as it is imported: a national sheet is never held in memory
        with tqdm(unit="行", disable=path.stat().st_size < 1_000_000, file=sys.stderr) as bar:
            report = import_rows(
                db,
                rows,
                issuer_name=issuer,
                document=args.source,
                file_name=Path(args.file).name,
                actor=args.actor,
                progress=bar.update,
                force=args.force,
            )
    except ImportFailed as failed:
        print(
            f"取り込みを中止しました（{len(failed.problems)}件の問題があります。データは変更していません）。",
            file=sys.stderr,
        )
        for p in failed.problems:
            where = f"{p.row}行目" if p.row else "ファイル"
            column = f"「{p.column}」" if p.column else ""
            value = f"値「{_shortened(p.value)}」: " if p.value not in ("", None) else ""
            print(f"  {where}{column}: {value}{p.message}", file=sys.stderr)
        if failed.stale:
            print(
                "書き出しの後に更新された行があります。最新の内容を書き出し直して編集するか、"
                "上書きしてよい場合は --force を付けて取り込んでください。",
                file=sys.stderr,
            )
        return 1
    r = report.result
    counts = f"新規 {r.created}件、更新 {r.updated}件、変更なし {r.unchanged}件"
    print(f"{issuer}に{report.rows}行を取り込みました（{counts}）。")
    return 0


def cmd_export_status(args: argparse.Namespace, fmt: str | None, output: Path | None) -> int:
    from datetime import UTC, datetime

    from bot.status_report import status_sheet
    from store.export_status import status_text, write_status_pdf, write_status_xlsx

    db = _database()
    try:
        sheet = status_sheet(db, datetime.now(UTC))
    finally:
        db.dispose()
    if sheet is None:
        print("エラー: 集計する委員会・事業がありません。", file=sys.stderr)
        return 1
    if output is None:
        print(status_text(sheet))
        return 0
    (write_status_pdf if fmt == "pdf" else write_status_xlsx)(sheet, output)
    print(f"{sheet.title}を書き出しました: {output}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from store import values
    from store.export import export_heading, export_rows, export_years, write_csv
    from store.export_xlsx import write_xlsx

    output = Path(args.output) if args.output else None
    suffix = output.suffix.lower().lstrip(".") if output else ""
    fmt = args.format or (suffix if suffix in {"xlsx", "pdf"} else "csv")
    if args.status:
        if fmt == "csv" and args.format:
            print("エラー: 提出状況（--status）は xlsx か pdf で書き出します。", file=sys.stderr)
            return 2
        return cmd_export_status(args, fmt, output)
    if fmt in {"xlsx", "pdf"} and output is None:
        what = "Excel 形式（xlsx）" if fmt == "xlsx" else "PDF"
        print(
            f"エラー: {what}は標準出力に書き出せません。-o で保存先のファイル名を指定してください。",
            file=sys.stderr,
        )
        return 2
    try:
        all_years = (args.year or "").strip().lower() in {"all", "全年度", "すべて"}
        year: int | str | None = "all" if all_years else values.parse_fiscal_year(args.year) if args.year else None
    except ValueError as exc:
        print(f"エラー: {exc}（すべての年度は --year all）", file=sys.stderr)
        return 2
    db = _database()
    issuer = args.issuer or _export_issuer(db, load_settings().issuer)
    try:
        rows = export_rows(db, year, issuer)
        if not rows:
            years = "、".join(values.fiscal_year_label(y) for y in export_years(db, issuer))
            what = (
                f"{values.fiscal_year_label(year)}のデータはありません"
                if isinstance(year, int)
                else "書き出すデータがありません"
            )
            hint = f"（データのある年度: {years}）" if years else "（事業が登録されていません）"
            print(f"エラー: {what}{hint}。何も書き出していません。", file=sys.stderr)
            return 1
        heading = export_heading(db, issuer, year)
    finally:
        db.dispose()
    if fmt == "xlsx":
        assert output is not None
        write_xlsx(rows, output, heading)
    elif fmt == "pdf":
        from store.export_pdf import write_pdf

        assert output is not None
        write_pdf(rows, output, heading)
    elif output is not None:
        write_csv(rows, output)
    else:
        sys.stdout.flush()
        write_csv(rows, getattr(sys.stdout, "buffer", sys.stdout))
    label = "、".join(dict.fromkeys(row["年度"] for row in rows))
    projects = len({row["個別事業名"] for row in rows})
    where = output or "標準出力"
    print(f"{label}の{projects}事業（{len(rows)}行）を書き出しました: {where}", file=sys.stderr)
    return 0


def _shortened(value: object, limit: int = 100) -> str:
    """At most ``limit`` characters of a value in a message (a 500 MB cell is never echoed)."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…（全{len(text):,}文字）"


def cmd_chart(args: argparse.Namespace) -> int:
    from bot.chart_request import chart_for, wants_chart
    from bot.charts import render_png

    question = args.question if wants_chart(args.question) else f"{args.question}のグラフ"
    db = _database()
    try:
        spec = chart_for(db, question, issuer=args.issuer)
    finally:
        db.dispose()
    if spec is None:
        print("エラー: グラフにするデータがありません（年度や自治体名をご確認ください）。", file=sys.stderr)
        return 1
    Path(args.output).write_bytes(render_png(spec))
    print(f"「{spec.title}」のグラフを書き出しました: {args.output}", file=sys.stderr)
    return 0


def _export_issuer(db, configured: str) -> str | None:  # type: ignore[no-untyped-def]
    """KENSHO_ISSUER when registered, else the only (or first) issuer, as before issuers were named."""
    from store.issuers import find_issuer

    with db.session() as session:
        return configured if find_issuer(session, configured) is not None else None


def cmd_db_init(args: argparse.Namespace) -> int:
    """Create and migrate the database; load the bundled Gunma sample unless --no-sample (or another
    issuer's deployment); register KENSHO_ISSUER with the national defaults."""
    from store.bundled import BUNDLED_ISSUER
    from store.db import open_database
    from store.issuers import create_issuer, find_issuer
    from store.records import bump_catalogue_version

    settings = load_settings()
    db = open_database(settings.database_url, seed=not args.no_sample and settings.issuer == BUNDLED_ISSUER)
    try:
        with db.session() as session:
            created = find_issuer(session, settings.issuer) is None
            if created:
                create_issuer(session, settings.issuer)
                bump_catalogue_version(session)
    finally:
        db.dispose()
    note = f"自治体「{settings.issuer}」を登録しました。" if created else f"自治体「{settings.issuer}」は登録済みです。"
    print(f"データベースを用意しました。{note}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from store.db import make_engine, upgrade

    url = load_settings().database_url
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    print("データベースを最新の状態に更新しました。")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kensho",
        description="企業版ふるさと納税の事業評価を Slack で答え、集め、督促するボット kensho のコマンドです。",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="詳しいログを表示します")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser(
        "ask",
        help='質問に答えます（例: kensho ask "ぐんま健康ポイントの寄附額は？"）',
        description="日本語の質問に答えます。質問を省くと標準入力から1行に1問ずつ読みます。",
    )
    ask.add_argument("question", nargs="*", help="質問（複数可）")
    ask.add_argument("--json", action="store_true", help="1問につき1行の JSON で出力します（JSON Lines）")
    ask.add_argument(
        "--user",
        help="この Slack ユーザーとして答えます（下書きは担当課と管理者にだけ見えます。"
        "既定: 管理者と同じく下書きも表示）",
    )
    ask.set_defaults(func=cmd_ask)

    imp = sub.add_parser(
        "import",
        help="資料５－２様式の CSV / Excel を取り込みます",
        description="CSV（UTF-8 または Shift_JIS）または .xlsx（取込用の見出し行があるシート。なければ先頭シート）"
        "を取り込みます。"
        "1件でも問題があれば何も取り込みません。",
    )
    imp.add_argument("file", help="取り込むファイル（.csv / .xlsx）")
    imp.add_argument(
        "--issuer", help="自治体名（既定: KENSHO_ISSUER、未設定なら群馬県）。未登録なら国の様式の選択肢で登録します"
    )
    imp.add_argument(
        "--source", help="出典とする資料名と時点（例: 「資料３（令和6年7月時点）」。既定: 自治体の資料名）"
    )
    imp.add_argument("--actor", default="cli", help="履歴に残す更新者名（既定: cli）")
    imp.add_argument(
        "--force",
        action="store_true",
        help="kensho の書き出しを取り込むとき、書き出しの後に Slack などで更新された行も上書きします"
        "（既定: そうした行があれば何も取り込みません）",
    )
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser(
        "export",
        help="委員会資料（資料５－２）を Excel / PDF で、または取込用の CSV で書き出します",
        description="1年度分の事業評価を書き出します。Excel（xlsx）は1枚目が委員会にお配りする資料５－２の体裁"
        "（A3横・1ページ幅）、2枚目が取込用のデータです。PDF は同じ資料です。"
        "CSV と Excel の2枚目は資料５－２の列順（末尾に別名・意見の状態・提出状況・最終更新）で、"
        "そのまま kensho import で取り込めます。CSV は Excel で開ける UTF-8（BOM付き）です。",
    )
    exp.add_argument(
        "--format",
        choices=["csv", "xlsx", "pdf"],
        help="出力形式（既定: -o の拡張子が .xlsx / .pdf ならその形式、それ以外は csv）",
    )
    exp.add_argument("--year", help="年度（例: 令和3年度、R3、2021、すべての年度は all。既定: 最新の年度）")
    exp.add_argument("-o", "--output", help="保存先のファイル（省略すると CSV を標準出力に書き出します）")
    exp.add_argument("--issuer", help="自治体名（既定: KENSHO_ISSUER）")
    exp.add_argument(
        "--status",
        action="store_true",
        help="現在の委員会について、担当課ごとの提出済・下書き・未提出を1ページにまとめます"
        "（-o の拡張子または --format で pdf / xlsx。-o を省くと画面に表示します）",
    )
    exp.set_defaults(func=cmd_export)

    chart = sub.add_parser(
        "chart",
        help='質問のグラフを PNG で書き出します（例: kensho chart "寄附額をグラフで" -o chart.png）',
        description="寄附額・寄附件数・事業費を事業別（または年度別の推移）のグラフにします。"
        "「事業費と寄附額を比べるグラフ」「寄附額の推移」「令和3年度の寄附件数」のように指定します。",
    )
    chart.add_argument("question", help="グラフにしたい内容（グラフ・図・推移などの語は省略可）")
    chart.add_argument("-o", "--output", required=True, help="保存先の PNG ファイル")
    chart.add_argument("--issuer", help="自治体名（既定: 最初に登録された自治体）")
    chart.set_defaults(func=cmd_chart)

    from kensho import cli_committee, cli_issuers, cli_people, cli_serve

    cli_serve.register(sub, _database)
    cli_people.register(sub, _database)
    cli_committee.register(sub, _database)
    cli_issuers.register(sub, _database)

    db = sub.add_parser("db", help="データベースの管理", description="データベースの管理")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="マイグレーションを適用します")
    up.set_defaults(func=cmd_db_upgrade)
    init = db_sub.add_parser(
        "init", help="データベースを作成し、KENSHO_ISSUER の自治体を登録します（群馬県ならサンプルデータも）"
    )
    init.add_argument("--no-sample", action="store_true", help="同梱の群馬県のサンプルデータを読み込みません")
    init.set_defaults(func=cmd_db_init)
    return parser


def usage(parser: argparse.ArgumentParser) -> str:
    """What ``kensho`` alone prints: the commands, in Japanese."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    lines = [f"  {c.dest:<10} {c.help}" for c in commands._choices_actions]
    return "\n".join(
        [
            "使い方: kensho コマンド [オプション]",
            "",
            "コマンド:",
            *lines,
            "",
            "詳しくは kensho --help、kensho コマンド --help をご覧ください。",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        print(usage(parser), file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ConfigError, SettingsProblem) as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a clear one-line error, never a traceback
        log.debug("command failed", exc_info=True)
        print(f"エラー: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
