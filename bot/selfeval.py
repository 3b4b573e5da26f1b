"""Self-evaluation updates, free of Slack: what the form shows, validation, saving, history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.answer import kpi_value
from store import values
from store.db import Database
from store.models import KpiStatus, PolicyOption, Project, Record, Revision, SubmissionStatus
from store.people import notification_channel, updatable_projects, updatable_record
from store.readmodel import load_views, view_select
from store.records import FIELD_LABELS
from store.schemas import validate_self_evaluation
from store.selfeval import (
    Change,
    NotAllowed,
    PastYear,
    SaveResult,
    StaleRecord,
    UnknownRecord,
    refuse,
    save_self_evaluation,
)

if TYPE_CHECKING:
    from bot.ask import Asker  # bot.ask imports this module

TOKYO = ZoneInfo("Asia/Tokyo")
STATUS_LABELS = {
    SubmissionStatus.NOT_SUBMITTED: "未提出",
    SubmissionStatus.DRAFT: "下書き",
    SubmissionStatus.SUBMITTED: "提出済",
}
EVALUATION_CHOICES = [(str(n), f"{values.CIRCLED[n - 1]}{label}") for n, label in values.EVALUATION_LABELS.items()]
EFFECTIVE_CHOICES = [("true", "総合戦略のKPI達成に有効であった"), ("false", "総合戦略のKPI達成に有効とは言えない")]


@dataclass
class KpiRow:
    name: str
    unit: str
    target: str
    actual: str  # as the form shows it: a number, 集計中, or empty


@dataclass
class FormData:
    record_id: int
    project_name: str
    fiscal_year: int
    department: str
    version: int
    status: SubmissionStatus
    result: str
    kpis: list[KpiRow]
    evaluation: int | None
    kpi_effective: bool | None
    policy: str  # label
    policy_reason: str
    reflection: str
    policy_options: list[tuple[str, str]] = field(default_factory=list)  # (label, display)
    opened_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def year_label(self) -> str:
        return values.fiscal_year_label(self.fiscal_year)


@dataclass
class Outcome:
    """What happened to a submission: saved, refused with per-field errors, or refused as stale."""

    saved: SaveResult | None = None
    errors: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None
    channel: str | None = None  # where a saved update is announced (the department's, else the administrators')


@dataclass(frozen=True)
class Opening:
    """What opening the self-evaluation shows a person: the ``form`` of one record, a ``refusal``, or a
    picker of the records they may update (``choices``; none at all when empty)."""

    form: FormData | None = None
    refusal: str | None = None
    choices: list[tuple[int, str, int]] = field(default_factory=list)


UNKNOWN_RECORD = "対象の事業が見つかりませんでした。"


def choices_for(db: Database, user_id: str) -> list[tuple[int, str, int]]:
    """(record id, project name, fiscal year) the user may update, in the latest fiscal year."""
    with db.session() as session:
        return updatable_projects(session, user_id)


def updatable_record_id(db: Database, user_id: str, project_id: int) -> int | None:
    """The record an 「更新する」 button under an answer about ``project_id`` would open for ``user_id``."""
    with db.session() as session:
        return updatable_record(session, user_id, project_id)


def latest_record_id(db: Database, project_id: int) -> int | None:
    with db.session() as session:
        return session.scalar(
            select(Record.id).where(Record.project_id == project_id).order_by(Record.fiscal_year.desc()).limit(1)
        )


def record_to_update(asker: Asker, project: str) -> int | None:
    """The latest record of the one project ``project`` names (None when it names none or several)."""
    found = asker.ask(project)
    if found.status != "answered" or len(found.project_ids) != 1:
        return None
    return latest_record_id(asker.db, found.project_ids[0])


def open_form(db: Database, user_id: str, record_id: int | None = None) -> Opening:
    """The form of ``record_id`` for ``user_id``; without one, the form of their only updatable record,
    or the choice among several (or none)."""
    if record_id is None:
        choices = choices_for(db, user_id)
        if len(choices) != 1:
            return Opening(choices=choices)
        record_id = choices[0][0]
    try:
        return Opening(form=form_for(db, user_id, record_id))
    except NotAllowed as refused:
        return Opening(refusal=refusal_text(refused))
    except UnknownRecord:
        return Opening(refusal=UNKNOWN_RECORD)


def form_for(db: Database, user_id: str, record_id: int) -> FormData:
    """The form prefilled with the record's current values. Raises NotAllowed or UnknownRecord."""
    with db.session() as session:
        refuse(session, user_id, record_id)
        views = load_views(session, view_select().where(Record.id == record_id))
        if not views:
            raise UnknownRecord(record_id)
        record = views[0]
        options = session.scalars(
            select(PolicyOption)
            .where(PolicyOption.issuer_id == record.project.issuer.id)
            .order_by(PolicyOption.sort_order)
        )
        return FormData(
            record_id=record.id,
            project_name=record.project.name,
            fiscal_year=record.fiscal_year,
            department=record.department.name if record.department else "",
            version=record.version,
            status=record.submission_status,
            result=record.result,
            kpis=[
                KpiRow(k.name, k.unit, kpi_value(k.target, k.target_status), _form_actual(k.actual, k.actual_status))
                for k in record.kpis
            ],
            evaluation=record.evaluation,
            kpi_effective=record.kpi_effective,
            policy=record.policy_option.label if record.policy_option else "",
            policy_reason=record.policy_reason,
            reflection=record.reflection,
            policy_options=[(o.label, o.display) for o in options],
        )


def _form_actual(value: Decimal | None, status: KpiStatus) -> str:
    if value is None and status == KpiStatus.KNOWN:
        return ""
    return kpi_value(value, status)


def submit(
    db: Database,
    *,
    user_id: str,
    record_id: int,
    version: int,
    opened_at: datetime,
    raw: dict[str, object],
    final: bool,
    source: str = "modal",
    names: Callable[[str], str] = str,
) -> Outcome:
    """Validate and save. Never raises for user mistakes: the Outcome says what to tell the user."""
    data, errors = validate_self_evaluation(raw, submit=final)
    if data is None:
        return Outcome(errors=errors)
    try:
        saved = save_self_evaluation(
            db,
            user_id=user_id,
            record_id=record_id,
            expected_version=version,
            opened_at=opened_at,
            data=data,
            submit=final,
            source=source,
        )
    except NotAllowed as refused:
        return Outcome(refusal=refusal_text(refused))
    except UnknownRecord:
        return Outcome(refusal="対象の事業が見つかりませんでした。もう一度フォームを開き直してください。")
    except StaleRecord as stale:
        return Outcome(refusal=stale_message(stale.revisions, user_id, names))
    except ValueError:
        return Outcome(errors={"policy": "今後の方針の選択肢にありません。選び直してください。"})
    with db.session() as session:
        channel = notification_channel(session, saved.department_id)
    return Outcome(saved=saved, channel=channel)


NOT_ALLOWED = "この事業の自己評価を更新する権限がありません。担当課のメンバーか企画担当（管理者）にご相談ください。"


def refusal_text(refused: NotAllowed) -> str:
    """Why the user may not update the record, in the office's words."""
    if isinstance(refused, PastYear):
        return (
            f"{values.fiscal_year_label(refused.year)}の自己評価は受付を終了しているため、担当課からは更新できません"
            "（内容は保存していません）。修正が必要な場合は企画担当（管理者）にご連絡ください。"
        )
    return NOT_ALLOWED


def local_time(moment: datetime) -> str:
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")


def _short(text: str | None, limit: int = 60) -> str:
    text = (text or "").replace("\n", " ")
    return "（空欄）" if not text else text if len(text) <= limit else text[: limit - 1] + "…"


def change_lines(revisions: list[Change], limit: int = 60) -> list[str]:
    return [
        f"{FIELD_LABELS.get(r.field, r.field)}：{_short(r.old_value, limit)} → {_short(r.new_value, limit)}"
        for r in revisions
        if r.field != "submission_status"
    ]


def stale_message(revisions: list[Change], user_id: str = "", names: Callable[[str], str] = str) -> str:
    """Why a save was refused as stale: who saved in between (or that it was the user's own earlier save)."""
    changes = [r for r in revisions if r.field != "submission_status"]

    def who(actor: str) -> str:
        return "あなた" if actor == user_id else f"{names(actor)}さん"

    lines = [f"・{local_time(r.created_at)} {who(r.actor)}：{FIELD_LABELS.get(r.field, r.field)}" for r in changes]
    detail = "\n".join(lines[:10]) or "・（変更内容を取得できませんでした）"
    others = list(dict.fromkeys(r.actor for r in revisions if r.actor != user_id))
    if revisions and not others:
        head = (
            "フォームを開いた後に、あなたご自身がこの事業を保存しています（別のフォームや画面からの保存です）。"
            "上書きを防ぐため、今回の内容は保存していません。"
        )
    else:
        by = "、".join(f"{names(a)}さん" for a in others[:3]) or "ほかの方"
        head = f"フォームを開いた後に、{by}がこの事業を更新しました。上書きを防ぐため、今回の内容は保存していません。"
    return f"{head}\n{detail}\nお手数ですが、フォームを開き直して最新の内容を確認してから、もう一度入力してください。"


def history(db: Database, project_id: int, limit: int = 30, names: Callable[[str], str] = str) -> tuple[str, list[str]]:
    """(project name, lines) of the project's revisions, newest first; people shown by ``names``."""
    with db.session() as session:
        name = session.scalar(select(Project.name).where(Project.id == project_id)) or ""
        rows = session.execute(
            select(Revision, Record.fiscal_year)
            .join(Record, Revision.record_id == Record.id)
            .where(Record.project_id == project_id)
            .order_by(Revision.created_at.desc(), Revision.id.desc())
            .limit(limit)
        )
        lines = []
        for revision, year in rows:
            what = FIELD_LABELS.get(revision.field, revision.field)
            if revision.field == "record":
                change = "登録"
            elif revision.field == "submission_status":
                change = " → ".join(
                    STATUS_LABELS.get(SubmissionStatus(v), v)
                    if v in SubmissionStatus._value2member_map_
                    else "（なし）"
                    for v in (revision.old_value or "", revision.new_value or "")
                )
            else:
                change = f"{_short(revision.old_value, 40)} → {_short(revision.new_value, 40)}"
            lines.append(
                f"{local_time(revision.created_at)} {values.fiscal_year_label(year)} {what}：{change}"
                f"（{names(revision.actor)}、{SOURCE_LABELS.get(revision.source, revision.source)}）"
            )
        return name, lines


SOURCE_LABELS = {"seed": "初期データ", "import": "取り込み", "modal": "Slackフォーム", "cli": "コマンド"}
