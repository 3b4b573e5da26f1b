"""Charts of the catalogue's figures: a typed ``ChartSpec`` built from the database, drawn as a PNG.

No Slack here: ``handlers/charts.py`` uploads what ``render_png`` draws, ``kensho chart`` writes it
to a file. matplotlib runs headless (Agg) through its object API (no pyplot state, so drawing on a
worker thread is safe); the Japanese font comes from matplotlib-fontja (IPAexGothic, shipped in the
package: nothing is downloaded).
"""

from __future__ import annotations

import io
import textwrap
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import values
from store.db import Database
from store.models import Issuer, Project, Record

# The figures a chart can show: the amount columns of a record, with their names and units.
FIELD_LABELS: dict[str, str] = {"donation_amount": "寄附額", "project_cost": "事業費", "donation_count": "寄附件数"}
FIELD_UNITS: dict[str, str] = {"donation_amount": "千円", "project_cost": "千円", "donation_count": "件"}
_COLUMNS = {
    "donation_amount": Record.donation_amount,
    "project_cost": Record.project_cost,
    "donation_count": Record.donation_count,
}
COLORS = ("#1d4e89", "#e07b39", "#3a9d5d", "#8e5ea2")
MAX_PROJECTS = 30  # bars beyond this are left out (the chart says how many)


@dataclass(frozen=True)
class ProjectValues:
    """One project's figures: ``values[field][fiscal year]`` (None when not filled in)."""

    project: str
    values: dict[str, dict[int, int | None]]


@dataclass(frozen=True)
class ChartSpec:
    """What a chart shows. ``trend``: the figures over the fiscal years, else per project in one year."""

    title: str
    fields: tuple[str, ...]
    projects: tuple[ProjectValues, ...]
    fiscal_years: tuple[int, ...]
    unit: str  # 千円 or 件
    trend: bool = False
    source: str = ""
    omitted: int = 0  # projects left out beyond MAX_PROJECTS

    def total(self, field: str, year: int) -> int:
        return sum(p.values[field].get(year) or 0 for p in self.projects)


def build_spec(
    session: Session,
    fields: list[str],
    *,
    year: int | None = None,
    trend: bool = False,
    issuer: str | None = None,
) -> ChartSpec | None:
    """The spec for ``fields`` (amount fields; those of another unit than the first are dropped), for
    the issuer (default: the first registered) in ``year`` (default: its latest), or over every year
    when ``trend``. None when there is nothing to draw."""
    fields = [f for f in dict.fromkeys(fields) if f in _COLUMNS] or ["donation_amount"]
    fields = [f for f in fields if FIELD_UNITS[f] == FIELD_UNITS[fields[0]]]
    stmt = select(Issuer).order_by(Issuer.id).limit(1)
    found = session.scalar(select(Issuer).where(Issuer.name == issuer) if issuer else stmt)
    if found is None:
        return None
    years_stmt = select(Record.fiscal_year).join(Project).where(Project.issuer_id == found.id).distinct()
    years = sorted(session.scalars(years_stmt))
    if not years or (year is not None and year not in years):
        return None
    shown = tuple(years) if trend else (year or years[-1],)
    stmt_rows = (
        select(Project.name, Record.fiscal_year, *(_COLUMNS[f] for f in fields))
        .join(Project, Record.project_id == Project.id)
        .where(Project.issuer_id == found.id, Record.fiscal_year.in_(shown))
        .order_by(Project.sort_order, Project.id)
    )
    by_project: dict[str, dict[str, dict[int, int | None]]] = {}
    for name, fiscal_year, *figures in session.execute(stmt_rows):
        entry = by_project.setdefault(name, {f: {} for f in fields})
        for f, figure in zip(fields, figures, strict=True):
            entry[f][fiscal_year] = None if figure is None else int(figure)
    projects = [ProjectValues(name, v) for name, v in by_project.items()]
    if not trend:  # largest first, by the first field
        projects.sort(key=lambda p: -(p.values[fields[0]].get(shown[0]) or 0))
    omitted = max(0, len(projects) - MAX_PROJECTS) if not trend else 0
    names = "と".join(FIELD_LABELS[f] for f in fields)
    if trend:
        first, last = (values.fiscal_year_label(y) for y in (shown[0], shown[-1]))
        span = f"{first}〜{last}" if len(shown) > 1 else first
        title = f"{found.name}の{names}の推移（{span}）"
    else:
        title = f"{values.fiscal_year_label(shown[0])} 事業別の{names}（{found.name}）"
    source = " ".join(p for p in (found.name, found.source_document) if p)
    if found.source_as_of:
        source += f"（{found.source_as_of}）"
    return ChartSpec(
        title=title,
        fields=tuple(fields),
        projects=tuple(projects[:MAX_PROJECTS] if not trend else projects),
        fiscal_years=shown,
        unit=FIELD_UNITS[fields[0]],
        trend=trend,
        source=f"出典：{source}" if source else "",
        omitted=omitted,
    )


def figures_chart(db: Database, fields: list[str], year: int | None = None) -> ChartSpec | None:
    """``build_spec`` on a session of its own: the chart of an answer's figures (the 「グラフで見る」 button)."""
    with db.session() as session:
        return build_spec(session, fields, year=year)


# --- drawing -------------------------------------------------------------------------------------------


def value_label(value: int | None, unit: str) -> str:
    """13,672 千円 -> 13,672千円（1,367.2万円）; counts as 6件."""
    if value is None:
        return "未記入"
    if unit != "千円":
        return f"{value:,}{unit}"
    man = round(value / 10, 1)
    man_text = f"{man:,.1f}".removesuffix(".0")
    return f"{value:,}千円（{man_text}万円）"


_setup = threading.Lock()
_ready = False


def _matplotlib() -> None:
    """Headless matplotlib with the Japanese font, once per process."""
    global _ready
    with _setup:
        if _ready:
            return
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib_fontja

        matplotlib_fontja.japanize()
        _ready = True


def render_png(spec: ChartSpec, dpi: int = 110) -> bytes:
    """The chart as PNG bytes: horizontal bars per project (one bar per field), or bars per fiscal
    year for a trend; every bar labelled with its value in 千円 and 万円."""
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    rows = (
        [str(values.fiscal_year_label(y)) for y in spec.fiscal_years]
        if spec.trend
        else ["\n".join(textwrap.wrap(p.project, 18)) for p in spec.projects]
    )
    per_row = len(spec.fields)
    height = max(3.2, 0.9 + len(rows) * (0.38 * per_row + 0.3))
    figure = Figure(figsize=(10, height), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bar = 0.8 / per_row
    largest = 1
    for i, field in enumerate(spec.fields):
        if spec.trend:
            figures = [spec.total(field, y) for y in spec.fiscal_years]
        else:
            figures = [p.values[field].get(spec.fiscal_years[0]) for p in spec.projects]
        positions = [r + (i - (per_row - 1) / 2) * bar for r in range(len(rows))]
        drawn = [f or 0 for f in figures]
        largest = max(largest, *drawn) if drawn else largest
        bars = axes.barh(positions, drawn, height=bar * 0.92, color=COLORS[i % len(COLORS)], label=FIELD_LABELS[field])
        axes.bar_label(bars, labels=[value_label(f, spec.unit) for f in figures], padding=4, fontsize=9)
    axes.set_yticks(range(len(rows)), rows, fontsize=9)
    axes.invert_yaxis()  # largest (or oldest year) at the top
    axes.set_xlim(0, largest * 1.45)  # room for the labels right of the longest bar
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    axes.set_xlabel(f"（{spec.unit}）")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    if per_row > 1:
        axes.legend(loc="lower right", frameon=False)
    axes.set_title(spec.title, fontsize=13, loc="left", pad=12)
    notes = [spec.source] if spec.source else []
    if spec.omitted:
        notes.append(f"ほか{spec.omitted}事業は省略しています")
    if notes:
        figure.text(0.01, 0.005, "　".join(notes), fontsize=8, color="#555555", va="bottom")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
