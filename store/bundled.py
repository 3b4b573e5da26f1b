"""The bundled catalogue: Gunma's 資料５－２ (令和4年6月時点), loaded on first use."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import select

from store.db import Database
from store.importer import import_rows, read_table
from store.issuers import OptionsFile, create_issuer, find_issuer
from store.models import Department, Issuer, ReviewStatus
from store.records import bump_catalogue_version

BUNDLE = "gunma_r4"
BUNDLED_ISSUER = "群馬県"  # the issuer of the bundled sample


def bundle_meta(name: str = BUNDLE) -> dict[str, Any]:
    return json.loads(resources.files("store").joinpath("data", name, "meta.json").read_text("utf-8"))


def load_bundled(db: Database, name: str = BUNDLE) -> None:
    """Register the issuer with its plan and option lists, then import the records like any file."""
    meta = bundle_meta(name)
    source = meta["source"]
    with db.session() as session:
        issuer = find_issuer(session, meta["issuer"])
        if issuer is None:
            options = OptionsFile(
                kind=meta.get("kind"),
                plan=meta["plan"],
                policy=[f"{o['code']}{o['label']}" for o in meta["policy_options"]],
                kpi_effective=meta.get("kpi_effective_options"),
            )
            issuer = create_issuer(session, meta["issuer"], options=options)
            issuer.source_title = source["title"]
            issuer.source_document, issuer.source_as_of = source["document"], source["as_of"]
    path = resources.files("store").joinpath("data", name, meta["records"])
    with resources.as_file(path) as csv_path:
        import_rows(
            db,
            read_table(csv_path),
            issuer_name=meta["issuer"],
            document=f"{source['document']}（{source['as_of']}）",
            actor="kensho",
            source="seed",
            expert_status=ReviewStatus(meta.get("expert_opinion_status", "final")),
        )
    with db.session() as session:
        issuer = session.scalars(select(Issuer).where(Issuer.name == meta["issuer"])).one()
        for dept_name, aliases in meta.get("department_aliases", {}).items():
            dept = session.scalar(
                select(Department).where(Department.issuer_id == issuer.id, Department.name == dept_name)
            )
            if dept is not None:
                dept.aliases = sorted({*dept.aliases, *aliases})
        bump_catalogue_version(session)
