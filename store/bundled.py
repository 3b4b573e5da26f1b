"""The bundled catalogue: Gunma's 資料５－２ (令和4年6月時点), loaded on first use."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy import select

from store.db import Database
from store.importer import import_rows, read_table
from store.models import Department, Issuer, Plan, PolicyOption, ReviewStatus
from store.records import bump_catalogue_version, get_or_create_issuer

BUNDLE = "gunma_r4"


def bundle_meta(name: str = BUNDLE) -> dict[str, Any]:
    return json.loads(resources.files("store").joinpath("data", name, "meta.json").read_text("utf-8"))


def load_bundled(db: Database, name: str = BUNDLE) -> None:
    """Create the issuer, its plan and 今後の方針 options, then import the records like any file."""
    meta = bundle_meta(name)
    source = meta["source"]
    with db.session() as session:
        issuer = get_or_create_issuer(
            session,
            meta["issuer"],
            source_document=source["document"],
            source_as_of=source["as_of"],
            source_title=source["title"],
        )
        if not issuer.plans:
            session.add(Plan(issuer_id=issuer.id, name=meta["plan"]))
        existing = {o.label for o in session.scalars(select(PolicyOption).where(PolicyOption.issuer_id == issuer.id))}
        for order, option in enumerate(meta["policy_options"]):
            if option["label"] not in existing:
                session.add(
                    PolicyOption(issuer_id=issuer.id, code=option["code"], label=option["label"], sort_order=order)
                )
    path = resources.files("store").joinpath("data", name, meta["records"])
    with resources.as_file(path) as csv_path:
        import_rows(
            db,
            read_table(csv_path),
            issuer_name=meta["issuer"],
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
