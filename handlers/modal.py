"""Block Kit views of the self-evaluation modal: project picker, form, notices; reading the form back."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.selfeval import EFFECTIVE_CHOICES, EVALUATION_CHOICES, STATUS_LABELS, FormData
from handlers.blocks import clean, escape, plain

PICK_CALLBACK = "kensho_pick_record"
FORM_CALLBACK = "kensho_selfeval"
NOTICE_CALLBACK = "kensho_notice"
RECORD_OPTIONS = "kensho_record_options"
STATIC_LIMIT = 100  # static_select options; beyond that external_select with an options listener
TEXT_MAX = 3000
ACTION = "value"
MAX_KPIS = 20  # 100 blocks per view leaves ample room


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value[:150]}


def notice_view(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": NOTICE_CALLBACK,
        "title": plain(title, 24),
        "close": plain("閉じる", 24),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)[:3000]}}],
    }


def picker_view(choices: list[tuple[int, str, int]]) -> dict[str, Any]:
    """Choose one of the user's projects (record id, name, year)."""
    if len(choices) <= STATIC_LIMIT:
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": ACTION,
            "placeholder": plain("事業を選んでください", 150),
            "options": [_option(str(rid), name) for rid, name, _ in choices],
        }
    else:
        element = {
            "type": "external_select",
            "action_id": RECORD_OPTIONS,
            "min_query_length": 0,
            "placeholder": plain("事業名を入力して検索", 150),
        }
    return {
        "type": "modal",
        "callback_id": PICK_CALLBACK,
        "title": plain("自己評価の更新", 24),
        "submit": plain("次へ", 24),
        "close": plain("キャンセル", 24),
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"更新する事業を選んでください（{len(choices)}件）。"},
            },
            {"type": "input", "block_id": "record", "label": plain("事業", 2000), "element": element},
        ],
    }


def _text_input(
    block_id: str,
    label: str,
    value: str,
    *,
    multiline: bool = True,
    hint: str | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ACTION,
        "multiline": multiline,
        "max_length": TEXT_MAX,
    }
    if value:
        element["initial_value"] = clean(value)[:TEXT_MAX]
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label, 2000),
        "element": element,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _select(block_id: str, label: str, choices: list[tuple[str, str]], selected: str | None) -> dict[str, Any]:
    options = [_option(v, t) for v, t in choices]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": ACTION,
        "options": options,
        "placeholder": plain("選択してください", 150),
    }
    chosen = next((o for o in options if o["value"] == selected), None)
    if chosen:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "optional": True, "label": plain(label, 2000), "element": element}


def form_view(form: FormData) -> dict[str, Any]:
    metadata = json.dumps({"r": form.record_id, "v": form.version, "t": form.opened_at.isoformat()})
    header = (
        f"*{escape(form.project_name)}*（{form.year_label}）\n担当課：{escape(form.department) or '未設定'}"
        f"　提出状況：{STATUS_LABELS[form.status]}"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": header}},
        _text_input("result", "事業内容（実施結果）", form.result),
    ]
    for i, kpi in enumerate(form.kpis[:MAX_KPIS]):
        unit = f"（{kpi.unit}）" if kpi.unit else ""
        blocks.append(
            _text_input(
                f"kpi_{i}",
                f"KPI実績値：{kpi.name}{unit}",
                kpi.actual,
                multiline=False,
                hint=f"目標値 {kpi.target}。数値で入力してください（未確定の場合は「集計中」）。",
                placeholder="例: 318.8、-2,208、集計中",
            )
        )
    blocks += [
        _select("evaluation", "事業の評価", EVALUATION_CHOICES, str(form.evaluation) if form.evaluation else None),
        _select(
            "kpi_effective",
            "KPI達成への有効性",
            EFFECTIVE_CHOICES,
            None if form.kpi_effective is None else str(form.kpi_effective).lower(),
        ),
        _select("policy", "今後の方針", form.policy_options, form.policy or None),
        _text_input("policy_reason", "今後の方針の理由", form.policy_reason),
        _text_input("reflection", "事業実施後の振り返り・今後の方針等", form.reflection),
        {
            "type": "input",
            "block_id": "mode",
            "label": plain("保存の方法", 2000),
            "element": {
                "type": "radio_buttons",
                "action_id": ACTION,
                "options": [
                    _option("submit", "提出する（全項目の入力が必要です）"),
                    _option("draft", "下書きとして保存する"),
                ],
                "initial_option": _option("submit", "提出する（全項目の入力が必要です）"),
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain("自己評価の更新", 24),
        "submit": plain("保存", 24),
        "close": plain("キャンセル", 24),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def read_metadata(view: dict[str, Any]) -> tuple[int, int, datetime] | None:
    """(record id, version, opened at) from the form, or None when it is missing or tampered with."""
    try:
        data = json.loads(view.get("private_metadata") or "")
        return int(data["r"]), int(data["v"]), datetime.fromisoformat(str(data["t"]))
    except (ValueError, KeyError, TypeError):
        return None


def read_form(view: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The typed values keyed like store.schemas.SelfEvaluationDraft, and whether 提出 was chosen."""
    state = ((view.get("state") or {}).get("values")) or {}

    def value(block: str) -> Any:
        element = (state.get(block) or {}).get(ACTION) or {}
        if not isinstance(element, dict):
            return None
        if "selected_option" in element:
            return (element.get("selected_option") or {}).get("value")
        return element.get("value")

    kpi_blocks = sorted((b for b in state if b.startswith("kpi_") and b[4:].isdigit()), key=lambda b: int(b[4:]))
    raw = {
        "result": value("result") or "",
        "kpi_actuals": [value(b) or "" for b in kpi_blocks],
        "evaluation": value("evaluation"),
        "kpi_effective": value("kpi_effective"),
        "policy": value("policy") or "",
        "policy_reason": value("policy_reason") or "",
        "reflection": value("reflection") or "",
    }
    return raw, value("mode") != "draft"


def error_blocks_for(errors: dict[str, str]) -> dict[str, str]:
    """Validation errors keyed by the form's block ids (kpi_actuals.0 -> kpi_0)."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        block = key.replace("kpi_actuals.", "kpi_") if key.startswith("kpi_actuals.") else key.split(".")[0]
        out.setdefault(block, message)
    return out
