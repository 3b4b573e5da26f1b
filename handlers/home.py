"""The App Home tab: what the bot can do, example questions, the catalogue at a glance."""

from __future__ import annotations

from typing import Any

from bot.answer import amount, count
from bot.overview import CommitteeStatus, Overview, StaffItem
from bot.schedule import TOKYO
from bot.selfeval import STATUS_LABELS
from handlers.blocks import UPDATE_ACTION, escape, plain
from store.models import SubmissionStatus
from store.values import fiscal_year_label


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _countdown(days: int) -> str:
    if days > 0:
        return f"締切まであと{days}日"
    return "本日が締切です" if days == 0 else f"締切から{-days}日経過"


def admin_blocks(statuses: list[CommitteeStatus]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain("委員会と提出状況（管理者向け）", 150)}]
    if not statuses:
        blocks.append(_section("登録されている委員会はありません。`/kensho 委員会 追加` で登録できます。"))
    for status in statuses[:5]:
        deadline = status.deadline.astimezone(TOKYO)
        totals = {s: sum(c[s] for _, c in status.departments) for s in SubmissionStatus}
        lines = [
            f"• {escape(name)}：提出済 {c[SubmissionStatus.SUBMITTED]}／下書き {c[SubmissionStatus.DRAFT]}"
            f"／未提出 {c[SubmissionStatus.NOT_SUBMITTED]}"
            for name, c in status.departments[:30]
        ]
        head = (
            f"*{escape(status.name)}*（{fiscal_year_label(status.fiscal_year)}分）締切 {deadline:%Y-%m-%d %H:%M}"
            f"・{_countdown(status.days_left)}\n合計：提出済 {totals[SubmissionStatus.SUBMITTED]}"
            f"／下書き {totals[SubmissionStatus.DRAFT]}／未提出 {totals[SubmissionStatus.NOT_SUBMITTED]}"
        )
        blocks.append(_section((head + "\n" + "\n".join(lines))[:2900]))
    blocks.append({"type": "divider"})
    return blocks


def staff_blocks(items: list[StaffItem]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain("あなたの未提出の自己評価", 150)}]
    if not items:
        blocks.append(_section("未提出の事業はありません。ありがとうございます。"))
    for item in items[:20]:
        due = f"・締切 {item.deadline.astimezone(TOKYO):%m/%d %H:%M}" if item.deadline else ""
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{escape(item.project)}*\n{STATUS_LABELS[item.status]}{due}"},
                "accessory": {
                    "type": "button",
                    "text": plain("更新する", 75),
                    "action_id": UPDATE_ACTION,
                    "value": str(item.record_id),
                },
            }
        )
    blocks.append({"type": "divider"})
    return blocks


def home_view(
    data: Overview,
    *,
    admin: list[CommitteeStatus] | None = None,
    staff: list[StaffItem] | None = None,
    examples: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The App Home: for administrators the committees' status, for members their pending projects."""
    personal = (admin_blocks(admin) if admin is not None else []) + (staff_blocks(staff) if staff else [])
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
        _section("\n".join(f"• {escape(q)}" for q in examples) or "（事業が登録されると例を表示します）"),
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
    return {"type": "home", "blocks": [*blocks[:2], *personal, *blocks[2:]][:100]}
