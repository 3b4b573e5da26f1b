"""Pydantic models: the one place that says what a valid record is.

The importer, the CLI and the Slack modal all validate through these models.
Field aliases are the published column names, so a spreadsheet row validates as it is.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
)
from pydantic_core import ErrorDetails

from store import values
from store.options import NATIONAL, IssuerOptions

MAX_TEXT = 3000  # Slack's plain_text_input limit; also a sane bound for a cell

COLUMNS: list[str] = [
    "年度",
    "基本目標",
    "個別事業名",
    "担当課",
    "事業費（千円）",
    "寄附額（千円）",
    "寄附件数（件）",
    "事業内容（実施結果）",
    "KPI指標",
    "KPI単位",
    "KPI目標値",
    "KPI実績値",
    "事業の評価",
    "KPI達成への有効性",
    "外部有識者からの意見",
    "今後の方針",
    "今後の方針の理由",
    "事業実施後の振り返り・今後の方針等",
]
ALIAS_COLUMN = "別名"
# Optional: whether 外部有識者からの意見 is still a draft (案) or final (確定); written by the export so that
# an export imports back losslessly. Absent or empty: new opinions take the importing source's status.
OPINION_STATUS_COLUMN = "意見の状態"
OPINION_STATUS_WORDS = {
    "案": "draft",
    "（案）": "draft",
    "(案)": "draft",
    "draft": "draft",
    "確定": "final",
    "final": "final",
}
# Written by the export for the planning office, ignored on import: the export reads back as it is.
SUBMISSION_COLUMN = "提出状況"
UPDATED_COLUMN = "最終更新"
SOURCE_COLUMN = "出典"  # where the row's values come from (document, kensho updates)
EXPORT_ONLY_COLUMNS: tuple[str, ...] = (SUBMISSION_COLUMN, UPDATED_COLUMN, SOURCE_COLUMN)
# Written by the export and read back: which issuer's record the row is, and the record's version when
# it was exported. An import refuses a row whose record changed since (store.import_conflicts), so a
# stale export never undoes a department's submission. Absent or empty (sheets typed by hand): no check.
ISSUER_COLUMN = "自治体"
VERSION_COLUMN = "版"
RECORD_COLUMNS: tuple[str, ...] = (ISSUER_COLUMN, VERSION_COLUMN)


def _text(value: Any) -> str:
    # Only ASCII whitespace is trimmed: a leading full-width space is the document's paragraph indent.
    text = value if type(value) is str else "" if value is None else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip(" \t\n")


def _required(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError("必須項目です")
    return text


def _opinion_status(value: Any) -> str | None:
    text = values.clean(value)
    if not text:
        return None
    if text not in OPINION_STATUS_WORDS:
        raise ValueError("意見の状態は「案」か「確定」で入力してください")
    return OPINION_STATUS_WORDS[text]


def _version(value: Any) -> int | None:
    text = unicodedata.normalize("NFKC", values.clean(values.plain_number(value)))
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError("版は書き出したときの番号（1以上の整数）のままにしてください（不明なら空欄に）")
    return int(text)


def options_in(info: ValidationInfo) -> IssuerOptions:
    """The issuer's option lists passed as validation context (``context={"options": …}``), else national."""
    context = info.context or {}
    return context.get("options") or NATIONAL


def _evaluation(value: Any, info: ValidationInfo) -> int | None:
    return options_in(info).evaluation_number(value)


def _kpi_effective(value: Any, info: ValidationInfo) -> bool | None:
    return options_in(info).kpi_effective_value(value)


def _policy(value: Any, info: ValidationInfo) -> str:
    """The canonical 今後の方針 label when the issuer is known (import), else the text as typed."""
    if info.context and info.context.get("options"):
        return options_in(info).policy_label(value)
    return _text(value)


# A length limit is given before the BeforeValidator that cleans the text: pydantic-core then checks it
# (one check in Rust, reported as string_too_long) on the cleaned text, not a Python validator after it.
Text = Annotated[str, Field(max_length=MAX_TEXT), BeforeValidator(_text)]
Name = Annotated[str, Field(max_length=300), BeforeValidator(_required)]
DepartmentName = Annotated[str, Field(max_length=200), BeforeValidator(_text)]
KpiName = Annotated[str, Field(max_length=300), BeforeValidator(_text)]


def _unit(unit: str) -> str:
    # The sheet prints units as （万円）; the brackets are layout, not part of the unit.
    return unit.removeprefix("（").removesuffix("）").removeprefix("(").removesuffix(")")


KpiUnit = Annotated[str, Field(max_length=50), BeforeValidator(_text), AfterValidator(_unit)]
Amount = Annotated[int | None, BeforeValidator(values.parse_amount)]
Count = Annotated[int | None, BeforeValidator(values.parse_count)]


class KpiValue(BaseModel):
    value: Decimal | None = None
    pending: bool = False

    @classmethod
    def parse(cls, raw: Any) -> KpiValue:
        if isinstance(raw, KpiValue):
            return raw
        value, pending = values.parse_kpi_value(raw)
        return _kpi_value(value, pending)


@lru_cache(maxsize=8192)
def _kpi_value(value: Decimal | None, pending: bool) -> KpiValue:
    """One shared, never-modified KpiValue per value (a sheet repeats its KPI values)."""
    return KpiValue.model_construct(value=value, pending=pending)  # already validated by the parser


KpiField = Annotated[KpiValue, BeforeValidator(KpiValue.parse)]


class ImportRow(BaseModel):
    """One row of the committee table (資料５－２ layout)."""

    model_config = ConfigDict(populate_by_name=True, str_strip_whitespace=False)

    fiscal_year: Annotated[int, BeforeValidator(values.parse_fiscal_year)] = Field(alias="年度")
    goal: Annotated[
        tuple[int, str] | None, BeforeValidator(lambda v: values.parse_goal(v) if values.clean(v) else None)
    ] = Field(default=None, alias="基本目標")
    project: Name = Field(alias="個別事業名")
    department: DepartmentName = Field(default="", alias="担当課")
    project_cost: Amount = Field(default=None, alias="事業費（千円）")
    donation_amount: Amount = Field(default=None, alias="寄附額（千円）")
    donation_count: Count = Field(default=None, alias="寄附件数（件）")
    result: Text = Field(default="", alias="事業内容（実施結果）")
    kpi_name: KpiName = Field(default="", alias="KPI指標")
    kpi_unit: KpiUnit = Field(default="", alias="KPI単位")
    # An empty cell by default, parsed like a typed one: the shared KpiValue() (a model instance as
    # default would be deep-copied for every row).
    kpi_target: KpiField = Field(default="", alias="KPI目標値", validate_default=True)
    kpi_actual: KpiField = Field(default="", alias="KPI実績値", validate_default=True)
    evaluation: Annotated[int | None, BeforeValidator(_evaluation)] = Field(default=None, alias="事業の評価")
    kpi_effective: Annotated[bool | None, BeforeValidator(_kpi_effective)] = Field(
        default=None, alias="KPI達成への有効性"
    )
    expert_opinion: Text = Field(default="", alias="外部有識者からの意見")
    policy: Annotated[str, Field(max_length=50), BeforeValidator(_policy)] = Field(default="", alias="今後の方針")
    policy_reason: Text = Field(default="", alias="今後の方針の理由")
    reflection: Text = Field(default="", alias="事業実施後の振り返り・今後の方針等")
    aliases: Annotated[list[str] | None, BeforeValidator(lambda v: None if v is None else values.split_aliases(v))] = (
        Field(default=None, alias="別名")
    )

    opinion_status: Annotated[str | None, BeforeValidator(_opinion_status)] = Field(
        default=None, alias=OPINION_STATUS_COLUMN
    )
    issuer: Annotated[str, Field(max_length=100), BeforeValidator(_text)] = Field(default="", alias=ISSUER_COLUMN)
    record_version: Annotated[int | None, BeforeValidator(_version)] = Field(default=None, alias=VERSION_COLUMN)


KPI_FIELDS = ("kpi_name", "kpi_unit", "kpi_target", "kpi_actual")
# The KPI cells of a row alone, with ImportRow's own field definitions: a row that repeats its project's
# previous row in every other cell (the next KPI of the project) needs only these validated again.
KpiCells = create_model(
    "KpiCells",
    __config__=ImportRow.model_config,
    **{name: (ImportRow.model_fields[name].annotation, ImportRow.model_fields[name]) for name in KPI_FIELDS},
)


def has_kpi(row: Any) -> bool:
    """Whether the KPI cells of a row (ImportRow or KpiCells) hold a KPI."""
    return bool(row.kpi_name or row.kpi_target.value is not None or row.kpi_actual.value is not None)


def japanese_message(err: ErrorDetails) -> str:
    """One pydantic error in Japanese (our own validators already speak Japanese)."""
    kind = err["type"]
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if kind == "missing":
        return "必須項目です"
    if kind == "string_too_long":
        return f"長すぎます（{err.get('ctx', {}).get('max_length')}文字まで）"
    return f"値が正しくありません（{err['msg']}）"


def japanese_errors(exc: ValidationError) -> list[tuple[str, Any, str]]:
    """(column or field, input value, message in Japanese) for every problem pydantic found."""
    return [(str(err["loc"][0]) if err["loc"] else "", err.get("input"), japanese_message(err)) for err in exc.errors()]


def _optional_choice(value: Any) -> str:
    return _text(value)


class SelfEvaluationDraft(BaseModel):
    """A department's self-evaluation as typed into the modal (or the CLI); a draft may be incomplete."""

    result: Text = ""
    kpi_actuals: list[KpiField] = Field(default_factory=list)
    evaluation: Annotated[int | None, BeforeValidator(_evaluation)] = None
    kpi_effective: Annotated[bool | None, BeforeValidator(_kpi_effective)] = None
    policy: Annotated[str, Field(max_length=50), BeforeValidator(_optional_choice)] = ""
    policy_reason: Text = ""
    reflection: Text = ""


def _required_choice(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("選択してください")
    return value


def _required_kpi(value: Any) -> KpiValue:
    parsed = KpiValue.parse(value)
    if parsed.value is None and not parsed.pending:
        raise ValueError("実績値を入力してください（未確定の場合は「集計中」）")
    return parsed


class SelfEvaluationSubmission(SelfEvaluationDraft):
    """What 提出 requires: every field filled in."""

    model_config = ConfigDict(validate_default=True)

    result: Annotated[str, Field(max_length=MAX_TEXT), BeforeValidator(_required)] = ""
    kpi_actuals: list[Annotated[KpiValue, BeforeValidator(_required_kpi)]] = Field(default_factory=list)
    # Before-validators run last-listed first: the "required" check comes before parsing.
    evaluation: Annotated[int, BeforeValidator(_evaluation), BeforeValidator(_required_choice)] = None  # type: ignore[assignment]
    kpi_effective: Annotated[bool, BeforeValidator(_kpi_effective), BeforeValidator(_required_choice)] = None  # type: ignore[assignment]
    policy: Annotated[str, Field(max_length=50), BeforeValidator(_required)] = ""
    policy_reason: Annotated[str, Field(max_length=MAX_TEXT), BeforeValidator(_required)] = ""
    reflection: Annotated[str, Field(max_length=MAX_TEXT), BeforeValidator(_required)] = ""


def validate_self_evaluation(raw: dict[str, Any], submit: bool) -> tuple[SelfEvaluationDraft | None, dict[str, str]]:
    """The validated input, or per-field Japanese errors keyed by field (``kpi_actuals.0`` for KPIs)."""
    model = SelfEvaluationSubmission if submit else SelfEvaluationDraft
    try:
        return model.model_validate(raw), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            loc = ".".join(str(part) for part in err["loc"])
            errors.setdefault(loc, japanese_message(err))
        return None, errors
