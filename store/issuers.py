"""Issuers (自治体) as data: creating one with national defaults, its option lists, its documents.

Everything an import, the Slack form and the CLI need to know about an issuer comes from here:
``options_of`` gives its option lists, ``create_issuer`` registers one (national defaults unless
told otherwise), ``document_source`` the Source row of one imported document.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store import values
from store.models import Issuer, Plan, PolicyOption, Record, Source, SourceKind
from store.options import NATIONAL, Choice, IssuerOptions, parse_choice

KINDS = ("都道府県", "市区町村")
_AS_OF = re.compile(r"^(?P<title>.*?)\s*[（(](?P<as_of>[^（()）]*時点)[）)]\s*$")


class IssuerProblem(Exception):
    """An issuer cannot be registered or changed as asked; the message says why, in Japanese."""


def parse_source(text: str) -> tuple[str, str]:
    """「資料３（令和6年7月時点）」 -> ("資料３", "令和6年7月時点"); without a 時点, the title alone."""
    text = values.clean(text)
    m = _AS_OF.match(text)
    if m and m.group("title"):
        return m.group("title"), m.group("as_of")
    return text, ""


def _choice(value: Any, position: int) -> Choice:
    if isinstance(value, str):
        return parse_choice(value, position)
    if isinstance(value, dict):
        spec = ChoiceSpec.model_validate(value)
        default = parse_choice(spec.label, position)
        return Choice(spec.code or default.code, default.label, tuple(spec.aliases))
    raise ValueError('選択肢は文字列か { label = "…", aliases = ["…"] } で書いてください')


class ChoiceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Annotated[str, Field(min_length=1, max_length=50)]
    code: str = ""
    aliases: list[str] = Field(default_factory=list)


def _policy(value: Any) -> list[Choice]:
    if not isinstance(value, list) or not value:
        raise ValueError("今後の方針の選択肢を1つ以上の一覧で書いてください")
    choices = [_choice(v, i) for i, v in enumerate(value)]
    labels = [c.label for c in choices]
    if len(set(labels)) != len(labels) or not all(labels):
        raise ValueError("今後の方針の選択肢が空か、重複しています")
    return choices


class OptionsFile(BaseModel):
    """An issuer's own settings in TOML (``kensho issuer add 山河県 --options options.toml``)::

    kind = "都道府県"
    plan = "山河県まち・ひと・しごと創生推進計画"
    source = "効果検証シート（令和6年7月時点）"
    policy = ["①拡充", "②継続", "③見直し", { label = "④終了", aliases = ["廃止"] }]
    evaluation = ["①…", "②…", "③…", "④…"]
    kpi_effective = ["…有効であった", "…有効とはいえなかった"]
    """

    model_config = ConfigDict(extra="forbid")
    kind: str | None = None
    plan: Annotated[str | None, Field(max_length=300)] = None
    source: Annotated[str | None, Field(max_length=300)] = None
    policy: Annotated[list[Choice] | None, BeforeValidator(_policy)] = None
    evaluation: Annotated[list[str] | None, Field(min_length=4, max_length=4)] = None
    kpi_effective: Annotated[list[str] | None, Field(min_length=2, max_length=2)] = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, kind: str | None) -> str | None:
        if kind is not None and kind not in KINDS:
            raise ValueError("kind は「都道府県」か「市区町村」です")
        return kind

    @field_validator("evaluation", "kpi_effective")
    @classmethod
    def _labels(cls, labels: list[str] | None) -> list[str] | None:
        if labels is None:
            return None
        cleaned = [values.clean(v).lstrip(values.CIRCLED) for v in labels]
        if not all(cleaned):
            raise ValueError("空の選択肢があります")
        return cleaned


def read_options_file(path: Path) -> OptionsFile:
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise IssuerProblem(f"ファイルが見つかりません: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IssuerProblem(f"{path.name} を TOML として読めません（{exc}）") from None
    try:
        return OptionsFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        message = str(err.get("ctx", {}).get("error", err["msg"]))
        if err["type"] == "extra_forbidden":
            message = "想定外の項目です（kind, plan, source, policy, evaluation, kpi_effective のみ）"
        elif err["type"] in {"too_short", "too_long"}:
            message = "事業の評価は4つ、KPI達成への有効性は2つの選択肢を書いてください"
        raise IssuerProblem(f"{path.name} の {where}: {message}") from None


def find_issuer(session: Session, name: str) -> Issuer | None:
    return session.scalar(select(Issuer).where(Issuer.name == values.clean(name)))


def options_of(session: Session, issuer: Issuer | None) -> IssuerOptions:
    """The issuer's option lists; the national ones for what it has not registered (or no issuer)."""
    if issuer is None or issuer.id is None:
        return NATIONAL
    rows = session.scalars(
        select(PolicyOption).where(PolicyOption.issuer_id == issuer.id).order_by(PolicyOption.sort_order)
    ).all()
    policy = tuple(Choice(o.code, o.label, tuple(o.aliases or ())) for o in rows) or NATIONAL.policy
    evaluation = tuple(issuer.evaluation_options or NATIONAL.evaluation)
    effective = issuer.kpi_effective_options or NATIONAL.kpi_effective
    return IssuerOptions(policy=policy, evaluation=evaluation, kpi_effective=(effective[0], effective[1]))


def ensure_policy_options(session: Session, issuer: Issuer) -> None:
    """An issuer without 今後の方針 options gets the national ones (so a typical sheet imports)."""
    count = session.scalar(select(func.count()).select_from(PolicyOption).where(PolicyOption.issuer_id == issuer.id))
    if not count:
        set_policy_options(session, issuer, list(NATIONAL.policy))


def set_policy_options(session: Session, issuer: Issuer, choices: list[Choice]) -> None:
    """Replace the issuer's 今後の方針 options; options in use by records may be renamed, not removed."""
    existing = list(session.scalars(select(PolicyOption).where(PolicyOption.issuer_id == issuer.id)))
    by_label = {o.label: o for o in existing}
    by_code = {o.code: o for o in existing if o.code}
    kept: set[int] = set()
    for order, choice in enumerate(choices):
        option = by_label.get(choice.label) or by_code.get(choice.code)
        if option is None or option.id in kept:
            option = PolicyOption(issuer_id=issuer.id, code=choice.code, label=choice.label)
            session.add(option)
        option.code, option.label, option.sort_order = choice.code, choice.label, order
        option.aliases = list(choice.aliases)
        session.flush()
        kept.add(option.id)
    for option in existing:
        if option.id in kept:
            continue
        used = session.scalar(select(func.count()).select_from(Record).where(Record.policy_option_id == option.id))
        if used:
            raise IssuerProblem(f"今後の方針「{option.display}」は{used}件の事業で使われているため、削除できません")
        session.delete(option)


def create_issuer(
    session: Session,
    name: str,
    *,
    kind: str | None = None,
    plan: str | None = None,
    source: str | None = None,
    options: OptionsFile | None = None,
) -> Issuer:
    """Register an issuer with the national option lists, or those given."""
    name = values.clean(name)
    if not name or len(name) > 100:
        raise IssuerProblem("自治体名を100文字以内で指定してください")
    if find_issuer(session, name) is not None:
        raise IssuerProblem(f"自治体「{name}」は登録済みです（変更は kensho issuer edit）")
    issuer = Issuer(name=name, kind=_kind(name, kind or (options.kind if options else None)))
    session.add(issuer)
    session.flush()
    apply_settings(session, issuer, plan=plan, source=source, options=options, fresh=True)
    return issuer


def apply_settings(
    session: Session,
    issuer: Issuer,
    *,
    kind: str | None = None,
    plan: str | None = None,
    source: str | None = None,
    options: OptionsFile | None = None,
    fresh: bool = False,
) -> None:
    """Change what is given (command-line values win over the options file); keep the rest."""
    options = options or OptionsFile()
    kind = kind or options.kind
    if kind is not None:
        if kind not in KINDS:
            raise IssuerProblem("種別は「都道府県」か「市区町村」で指定してください")
        issuer.kind = kind
    plan = plan or options.plan
    if plan:
        current = session.scalar(select(Plan).where(Plan.issuer_id == issuer.id).order_by(Plan.id))
        if current is None:
            session.add(Plan(issuer_id=issuer.id, name=plan))
        else:
            current.name = plan
    source = source or options.source
    if source:
        issuer.source_document, issuer.source_as_of = parse_source(source)
    if options.policy is not None:
        set_policy_options(session, issuer, options.policy)
    elif fresh:
        ensure_policy_options(session, issuer)
    if options.evaluation is not None:
        issuer.evaluation_options = options.evaluation
    elif fresh:
        issuer.evaluation_options = list(NATIONAL.evaluation)
    if options.kpi_effective is not None:
        issuer.kpi_effective_options = options.kpi_effective
    elif fresh:
        issuer.kpi_effective_options = list(NATIONAL.kpi_effective)


def _kind(name: str, kind: str | None) -> str:
    if kind is not None:
        if kind not in KINDS:
            raise IssuerProblem("種別は「都道府県」か「市区町村」で指定してください")
        return kind
    return "市区町村" if name.endswith(("市", "区", "町", "村")) else "都道府県"


def document_source(session: Session, issuer: Issuer, title: str, as_of: str) -> Source:
    """The Source row of one document of the issuer (one row per title and 時点)."""
    found = session.scalar(
        select(Source).where(
            Source.issuer_id == issuer.id,
            Source.kind == SourceKind.DOCUMENT,
            Source.title == title,
            Source.as_of == as_of,
        )
    )
    if found is None:
        found = Source(issuer_id=issuer.id, kind=SourceKind.DOCUMENT, title=title, as_of=as_of, status="")
        session.add(found)
        session.flush()
    return found


def issuer_summaries(session: Session) -> list[dict[str, Any]]:
    """Every issuer with what `kensho issuer list` shows."""
    out = []
    for issuer in session.scalars(select(Issuer).order_by(Issuer.id)):
        plan = session.scalar(select(Plan.name).where(Plan.issuer_id == issuer.id).order_by(Plan.id))
        years = session.scalars(
            select(Record.fiscal_year)
            .where(Record.project_id.in_(select_project_ids(issuer.id)))
            .group_by(Record.fiscal_year)
            .order_by(Record.fiscal_year)
        ).all()
        projects = session.scalar(
            select(func.count(func.distinct(Record.project_id))).where(
                Record.project_id.in_(select_project_ids(issuer.id))
            )
        )
        options = options_of(session, issuer)
        out.append(
            {
                "name": issuer.name,
                "kind": issuer.kind,
                "plan": plan or "",
                "source": f"{issuer.source_document}（{issuer.source_as_of}）"
                if issuer.source_as_of
                else issuer.source_document,
                "years": [values.fiscal_year_label(y) for y in years],
                "projects": int(projects or 0),
                "policy": [c.display for c in options.policy],
                "evaluation": list(options.evaluation),
                "kpi_effective": list(options.kpi_effective),
            }
        )
    return out


def select_project_ids(issuer_id: int):  # type: ignore[no-untyped-def]
    from store.models import Project

    return select(Project.id).where(Project.issuer_id == issuer_id)
