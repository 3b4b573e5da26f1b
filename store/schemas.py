"""Pydantic models: the one place that says what a valid record is.

The importer, the CLI and the Slack modal all validate through these models.
Field aliases are the published column names, so a spreadsheet row validates as it is.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from store import values

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


def _text(value: Any) -> str:
    return values.clean(value).replace("\r\n", "\n").replace("\r", "\n")


def _required(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError("必須項目です")
    return text


Text = Annotated[str, BeforeValidator(_text), Field(max_length=MAX_TEXT)]
Name = Annotated[str, BeforeValidator(_required), Field(max_length=300)]
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
        return cls(value=value, pending=pending)


KpiField = Annotated[KpiValue, BeforeValidator(KpiValue.parse)]


class KpiInput(BaseModel):
    name: str
    unit: str = ""
    target: KpiValue = KpiValue()
    actual: KpiValue = KpiValue()


class ImportRow(BaseModel):
    """One row of the committee table (資料５－２ layout)."""

    model_config = ConfigDict(populate_by_name=True, str_strip_whitespace=False)

    fiscal_year: Annotated[int, BeforeValidator(values.parse_fiscal_year)] = Field(alias="年度")
    goal: Annotated[
        tuple[int, str] | None, BeforeValidator(lambda v: values.parse_goal(v) if values.clean(v) else None)
    ] = Field(default=None, alias="基本目標")
    project: Name = Field(alias="個別事業名")
    department: Annotated[str, BeforeValidator(_text), Field(max_length=200)] = Field(default="", alias="担当課")
    project_cost: Amount = Field(default=None, alias="事業費（千円）")
    donation_amount: Amount = Field(default=None, alias="寄附額（千円）")
    donation_count: Count = Field(default=None, alias="寄附件数（件）")
    result: Text = Field(default="", alias="事業内容（実施結果）")
    kpi_name: Annotated[str, BeforeValidator(_text), Field(max_length=300)] = Field(default="", alias="KPI指標")
    kpi_unit: Annotated[str, BeforeValidator(_text), Field(max_length=50)] = Field(default="", alias="KPI単位")
    kpi_target: KpiField = Field(default_factory=KpiValue, alias="KPI目標値")
    kpi_actual: KpiField = Field(default_factory=KpiValue, alias="KPI実績値")
    evaluation: Annotated[int | None, BeforeValidator(values.parse_evaluation)] = Field(
        default=None, alias="事業の評価"
    )
    kpi_effective: Annotated[bool | None, BeforeValidator(values.parse_kpi_effective)] = Field(
        default=None, alias="KPI達成への有効性"
    )
    expert_opinion: Text = Field(default="", alias="外部有識者からの意見")
    policy: Annotated[str, BeforeValidator(_text), Field(max_length=50)] = Field(default="", alias="今後の方針")
    policy_reason: Text = Field(default="", alias="今後の方針の理由")
    reflection: Text = Field(default="", alias="事業実施後の振り返り・今後の方針等")
    aliases: Annotated[list[str] | None, BeforeValidator(lambda v: None if v is None else values.split_aliases(v))] = (
        Field(default=None, alias="別名")
    )

    @field_validator("kpi_unit")
    @classmethod
    def _strip_unit_brackets(cls, unit: str) -> str:
        # The sheet prints units as （万円）; the brackets are layout, not part of the unit.
        return unit.removeprefix("（").removesuffix("）").removeprefix("(").removesuffix(")")

    def kpi(self) -> KpiInput | None:
        if not (self.kpi_name or self.kpi_target.value is not None or self.kpi_actual.value is not None):
            return None
        return KpiInput(name=self.kpi_name, unit=self.kpi_unit, target=self.kpi_target, actual=self.kpi_actual)


def japanese_errors(exc: ValidationError) -> list[tuple[str, Any, str]]:
    """(column or field, input value, message in Japanese) for every problem pydantic found."""
    out: list[tuple[str, Any, str]] = []
    for err in exc.errors():
        loc = str(err["loc"][0]) if err["loc"] else ""
        kind = err["type"]
        if kind == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
        elif kind == "missing":
            message = "必須項目です"
        elif kind == "string_too_long":
            message = f"長すぎます（{err.get('ctx', {}).get('max_length')}文字まで）"
        else:
            message = f"値が正しくありません（{err['msg']}）"
        out.append((loc, err.get("input"), message))
    return out
