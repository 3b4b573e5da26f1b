"""The catalogue at a glance, for the App Home tab and `kensho` summaries."""

from __future__ import annotations

from dataclasses import dataclass, field

from store import queries
from store.db import Database


@dataclass
class Overview:
    totals: list[queries.YearTotal] = field(default_factory=list)
    departments: list[tuple[str, int]] = field(default_factory=list)  # latest year of the first issuer
    latest_year: int | None = None
    issuer: str = ""
    source: str = ""


def overview(db: Database) -> Overview:
    with db.session() as session:
        result = Overview(totals=queries.year_totals(session))
        issuers = queries.issuers(session)
        if not issuers:
            return result
        issuer = issuers[0]
        result.issuer = issuer.name
        result.source = f"{issuer.source_document}（{issuer.source_as_of}）" if issuer.source_as_of else ""
        result.latest_year = queries.latest_year(session, issuer.id)
        if result.latest_year is not None:
            result.departments = queries.projects_per_department(session, issuer.id, result.latest_year)
        return result
