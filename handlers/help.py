"""The help text, shown for 「help」「使い方」「ヘルプ」 in /kensho, a mention or a direct message."""

from __future__ import annotations

import unicodedata
from typing import Any

from handlers.blocks import escape

HELP = (
    "*kensho の使い方*\n"
    "• `/kensho 質問` … 自分だけに見える形で回答します（「チャンネルに共有」で共有できます）\n"
    "• `/kensho 更新` … 担当事業の自己評価フォームを開きます（`/kensho 更新 事業名` で事業を指定）\n"
    "• `/kensho 健康ポイントの更新履歴` … 事業の更新履歴を表示します\n"
    "• `/kensho help` … この説明を表示します\n"
    "• `@kensho 寄附額をグラフで` … グラフ（画像）をスレッドに投稿します"
    "（「事業費と寄附額を比べるグラフ」「寄附額の推移」も可）\n"
    "• チャンネルで `@kensho 質問` とメンションすると、スレッドで回答します。DMでも質問できます。\n"
    "*管理者向け*\n"
    "• `/kensho メンバー追加 @ユーザー 担当課名` ／ `/kensho メンバー削除 @ユーザー 担当課名`\n"
    "• `/kensho メンバー一覧`\n"
    "• `/kensho 委員会 一覧` ／ `/kensho 委員会 削除 名前`\n"
    "• `/kensho 委員会 追加 名前 2026-06-15T17:00 2026-07-10 令和7年度`（締切・開催日・年度）\n"
    "*質問の例*\n"
)
HELP_WORDS = {"", "help", "ヘルプ", "使い方", "つかいかた", "?", "使い方を教えて", "ヘルプを見せて"}
_TRAILING = "?？!！。．.、 　"


def is_help(text: str) -> bool:
    """Whether a message asks for help rather than about a project (「help」「使い方？」「ヘルプ」 …)."""
    word = unicodedata.normalize("NFKC", text or "").strip().lower().rstrip(_TRAILING).strip()
    return word in HELP_WORDS


def help_text(examples: tuple[str, ...]) -> str:
    """The help, with example questions about the deployment's own projects (escaped)."""
    return HELP + "\n".join(f"• {escape(q)}" for q in examples)


def help_message(examples: tuple[str, ...]) -> dict[str, Any]:
    """chat.postMessage / respond arguments for the help text."""
    text = help_text(examples)
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
