"""SQLAlchemy 2.0 typed models of the project catalogue and its history.

Money is integer 千円 as published. KPI values are exact decimals with a status:
集計中 is "not known yet" (value NULL, status ``pending``), never 0.
Nothing here is SQLite-only: the same models run on PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine


def utcnow() -> datetime:
    return datetime.now(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC on PostgreSQL; canonical text on SQLite, which has no exact decimal type."""

    impl = Numeric(24, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(24, 6))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return format(Decimal(value), "f") if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return canonical_decimal(Decimal(str(value)))


def canonical_decimal(value: Decimal) -> Decimal:
    """Drop trailing fractional zeros (318.800000 -> 318.8) without exponent notation."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on both backends (SQLite drops tzinfo otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class KpiStatus(enum.StrEnum):
    KNOWN = "known"
    PENDING = "pending"  # 集計中


class ReviewStatus(enum.StrEnum):
    DRAFT = "draft"  # （案）
    FINAL = "final"


class SubmissionStatus(enum.StrEnum):
    NOT_SUBMITTED = "not_submitted"  # 未提出
    DRAFT = "draft"  # 下書き
    SUBMITTED = "submitted"  # 提出済


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Issuer(Base):
    """A local government (自治体) publishing evaluations, e.g. 群馬県."""

    __tablename__ = "issuer"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    source_document: Mapped[str] = mapped_column(String(200), default="")  # 資料５－２
    source_as_of: Mapped[str] = mapped_column(String(100), default="")  # 令和4年6月時点
    source_title: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20), default="都道府県")  # 都道府県 | 市区町村
    # The issuer's wording of 事業の評価 (4 labels, ①..④) and KPI達成への有効性 (effective, not);
    # None: the national format (store.options.NATIONAL).
    evaluation_options: Mapped[list[str] | None] = mapped_column(JSON)
    kpi_effective_options: Mapped[list[str] | None] = mapped_column(JSON)

    plans: Mapped[list[Plan]] = relationship(back_populates="issuer")
    policy_options: Mapped[list[PolicyOption]] = relationship(
        back_populates="issuer", order_by="PolicyOption.sort_order"
    )


class Plan(Base):
    """地域再生計画 under which projects are funded."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("issuer_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))

    issuer: Mapped[Issuer] = relationship(back_populates="plans")


class Goal(Base):
    """基本目標 of the local strategy (地方版総合戦略) in one fiscal year: titles change between years."""

    __tablename__ = "goal"
    __table_args__ = (UniqueConstraint("issuer_id", "fiscal_year", "number", name="uq_goal_issuer_year_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(320))  # as published: 基本目標２：群馬に住み続けたくなる


class Department(Base):
    """担当課."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("issuer_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    channel_id: Mapped[str | None] = mapped_column(String(40))


class PolicyOption(Base):
    """One choice of 今後の方針 for an issuer (①拡充, ②継続, …); data, not an enum."""

    __tablename__ = "policy_option"
    __table_args__ = (UniqueConstraint("issuer_id", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))  # ②
    label: Mapped[str] = mapped_column(String(50))  # 継続
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)  # other words for it (発展 for 拡充)

    issuer: Mapped[Issuer] = relationship(back_populates="policy_options")

    @property
    def display(self) -> str:
        return f"{self.code}{self.label}"


class Project(Base):
    """個別事業, stable across fiscal years."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("issuer_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    issuer: Mapped[Issuer] = relationship()
    plan: Mapped[Plan | None] = relationship()
    records: Mapped[list[Record]] = relationship(back_populates="project", order_by="Record.fiscal_year")


class Record(Base):
    """One project's evaluation for one fiscal year (年度, stored as the Western year it starts in)."""

    __tablename__ = "record"
    __table_args__ = (UniqueConstraint("project_id", "fiscal_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"), index=True)
    project_cost: Mapped[int | None] = mapped_column(BigInteger)  # 事業費（千円）
    donation_amount: Mapped[int | None] = mapped_column(BigInteger)  # 寄附額（千円）
    donation_count: Mapped[int | None] = mapped_column(Integer)  # 寄附件数（件）
    result: Mapped[str] = mapped_column(Text, default="")  # 事業内容（実施結果）
    evaluation: Mapped[int | None] = mapped_column(Integer)  # 事業の評価 1..4
    kpi_effective: Mapped[bool | None] = mapped_column(Boolean)  # KPI達成への有効性
    expert_opinion: Mapped[str] = mapped_column(Text, default="")
    expert_opinion_status: Mapped[ReviewStatus] = mapped_column(
        _enum(ReviewStatus, "review_status"), default=ReviewStatus.FINAL
    )
    policy_option_id: Mapped[int | None] = mapped_column(ForeignKey("policy_option.id"))
    policy_reason: Mapped[str] = mapped_column(Text, default="")
    reflection: Mapped[str] = mapped_column(Text, default="")  # 事業実施後の振り返り・今後の方針等
    submission_status: Mapped[SubmissionStatus] = mapped_column(
        _enum(SubmissionStatus, "submission_status"), default=SubmissionStatus.NOT_SUBMITTED
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    # Provenance: the document that last imported the record, and the kensho updates (Source ids) of
    # the fields saved since then ({"result": 12, "kpis": 12, …}); a field not listed is the document's.
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"), index=True)
    value_sources: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))
    # While a 下書き is pending: the values everyone else still sees (store.provenance.public_snapshot).
    public_values: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    project: Mapped[Project] = relationship(back_populates="records")
    goal: Mapped[Goal | None] = relationship()
    department: Mapped[Department | None] = relationship()
    policy_option: Mapped[PolicyOption | None] = relationship()
    kpis: Mapped[list[Kpi]] = relationship(
        back_populates="record", order_by="Kpi.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SourceKind(enum.StrEnum):
    DOCUMENT = "document"  # an imported document: 資料５－２（令和4年6月時点）
    UPDATE = "update"  # a self-evaluation saved in kensho (Slack or CLI)


class Source(Base):
    """Where values come from: an imported document of an issuer, or one kensho update."""

    __tablename__ = "source"
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuer.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SourceKind] = mapped_column(_enum(SourceKind, "source_kind"))
    title: Mapped[str] = mapped_column(String(300), default="")  # document: 資料５－２ / 効果検証シート
    as_of: Mapped[str] = mapped_column(String(100), default="")  # document: 令和4年6月時点
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")  # update: the Slack user id (or cli)
    department: Mapped[str] = mapped_column(String(200), default="")  # update: the record's 担当課 then
    status: Mapped[str] = mapped_column(String(20), default="")  # update: draft | submitted


class Kpi(Base):
    __tablename__ = "kpi"
    __table_args__ = (UniqueConstraint("record_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(50), default="")
    target: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    target_status: Mapped[KpiStatus] = mapped_column(_enum(KpiStatus, "kpi_status"), default=KpiStatus.KNOWN)
    actual: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    actual_status: Mapped[KpiStatus] = mapped_column(_enum(KpiStatus, "kpi_status"), default=KpiStatus.KNOWN)

    record: Mapped[Record] = relationship(back_populates="kpis")


class Revision(Base):
    """One changed field of one record: who, when, from where, old -> new."""

    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))  # seed | import | modal | cli
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The record's version this change made (Record.version after it): an import of an export of an
    # older version finds here who changed what since. NULL for revisions written before migration 0008.
    record_version: Mapped[int | None] = mapped_column(Integer)


class CatalogueVersion(Base):
    """A single counter bumped on every catalogue change, so in-memory indexes know when to rebuild."""

    __tablename__ = "catalogue_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class ProcessedEvent(Base):
    """Slack event ids already taken by some process: the unique key makes retries harmless."""

    __tablename__ = "processed_event"
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Member(Base):
    """A Slack user who answers for a department's self-evaluations."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("user_id", "department_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(40), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(100), default="")

    department: Mapped[Department] = relationship()


class Admin(Base):
    """A Slack user of the planning office: may update any project and manage members."""

    __tablename__ = "admin"
    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(100), default="")


class Setting(Base):
    """Small named settings (e.g. the administrators' channel)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Committee(Base):
    """An external experts' committee: its self-evaluation deadline drives the reminders."""

    __tablename__ = "committee"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    meeting_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderClaim(Base):
    """One reminder to one recipient for one slot, claimed before sending: the unique key makes it once."""

    __tablename__ = "reminder_claim"
    __table_args__ = (UniqueConstraint("committee_id", "recipient", "slot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    recipient: Mapped[str] = mapped_column(String(60))  # a Slack user id
    slot: Mapped[str] = mapped_column(String(40))  # d7, d3, d1, d0, overdue, summary, unstaffed:d7 …
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    message_ts: Mapped[str | None] = mapped_column(String(40))
    failed: Mapped[str | None] = mapped_column(String(200))  # why Slack refused (cannot DM …)
    recovering_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Until when the holder (claimed_by) is known to be alive; it renews this while it waits (e.g. on
    # a 429 Retry-After). Only an expired lease is taken over.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
