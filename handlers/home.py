"""The App Home tab: what the bot can do, example questions, the catalogue at a glance."""

from __future__ import annotations

from typing import Any

from bot.answer import amount, count
from bot.overview import Overview
from handlers.blocks import escape, plain
from store.values import fiscal_year_label

EXAMPLES = (
    "ぐんま健康ポイントの寄附額は？",
    "5Gデジタルファクトリーの今後の方針",
    "寄附額の合計は？",
    "寄附額が一番多い事業",
    "労働政策課の事業は？",
    "終了する事業は？",
)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def home_view(data: Overview) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain("kensho（企業版ふるさと納税 事業評価ボット）", 150)},
        _section(
            "企業版ふるさと納税を活用した事業の評価について、日本語の質問にお答えします。\n"
            "• チャンネルで `@kensho` とメンションするか、このアプリにDMしてください。\n"
            "• `/kensho 質問` で自分だけに見える形で回答し、「チャンネルに共有」もできます。\n"
            "• `/kensho help` で使い方を表示します。"
        ),
        {"type": "divider"},
        {"type": "header", "text": plain("質問の例", 150)},
        _section("\n".join(f"• {escape(q)}" for q in EXAMPLES)),
        {"type": "divider"},
        {"type": "header", "text": plain("登録されているデータ", 150)},
    ]
    if not data.totals:
        blocks.append(_section("事業はまだ登録されていません。"))
    for total in data.totals[:10]:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{escape(total.issuer)} {fiscal_year_label(total.year)}*"},
                "fields": [
                    {"type": "mrkdwn", "text": f"*事業数*\n{total.projects:,}事業"},
                    {"type": "mrkdwn", "text": f"*寄附額の合計*\n{escape(amount(total.donation_amount))}"},
                    {"type": "mrkdwn", "text": f"*寄附件数の合計*\n{count(total.donation_count)}"},
                    {"type": "mrkdwn", "text": f"*事業費の合計*\n{escape(amount(total.project_cost))}"},
                ],
            }
        )
    if data.departments and data.latest_year:
        lines = [f"• {escape(name)}：{n:,}事業" for name, n in data.departments[:40]]
        if len(data.departments) > 40:
            lines.append(f"ほか{len(data.departments) - 40}課")
        title = f"*担当課別の事業数（{fiscal_year_label(data.latest_year)}）*"
        blocks.append(_section(title + "\n" + "\n".join(lines)))
    if data.source:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"出典：{escape(data.issuer)} {escape(data.source)}"}],
            }
        )
    return {"type": "home", "blocks": blocks[:100]}
