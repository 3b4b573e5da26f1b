"""issuer kind and option lists, policy option aliases, goals per fiscal year

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:00:00

Goals were one per (issuer, number); titles differ between years, so a goal is now one per
(issuer, fiscal year, number). Each existing goal takes the first year whose records use it, and
a copy is made for every further year, the records of that year pointing to the copy.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's unique constraints of 0001 have no name: batch mode names them by this convention.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _drop_old_goal_unique(batch_op, dialect: str) -> None:  # type: ignore[no-untyped-def]
    batch_op.drop_constraint(
        "goal_issuer_id_number_key" if dialect == "postgresql" else "uq_goal_issuer_id_number",
        type_="unique",
    )


def upgrade() -> None:
    # Plain ADD COLUMN: on SQLite a batch "move and copy" of a table would fire the ON DELETE actions
    # of the tables referring to it (foreign keys are on), and lose their rows or links.
    op.add_column("issuer", sa.Column("kind", sa.String(length=20), nullable=False, server_default="都道府県"))
    op.add_column("issuer", sa.Column("evaluation_options", sa.JSON(), nullable=True))
    op.add_column("issuer", sa.Column("kpi_effective_options", sa.JSON(), nullable=True))
    op.add_column("policy_option", sa.Column("aliases", sa.JSON(), nullable=True))

    conn = op.get_bind()
    record = sa.table(
        "record", sa.column("id", sa.Integer), sa.column("goal_id", sa.Integer), sa.column("fiscal_year", sa.Integer)
    )
    # The records' goals, kept aside: SQLite rebuilds the goal table below, which sets them to NULL.
    links = conn.execute(
        sa.select(record.c.id, record.c.goal_id, record.c.fiscal_year).where(record.c.goal_id.is_not(None))
    ).all()
    with op.batch_alter_table("goal", naming_convention=_NAMING) as batch_op:
        batch_op.add_column(sa.Column("fiscal_year", sa.Integer(), nullable=False, server_default="0"))
        _drop_old_goal_unique(batch_op, conn.dialect.name)
        batch_op.create_unique_constraint("uq_goal_issuer_year_number", ["issuer_id", "fiscal_year", "number"])

    goal = sa.table(
        "goal",
        sa.column("id", sa.Integer),
        sa.column("issuer_id", sa.Integer),
        sa.column("fiscal_year", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("title", sa.String),
        sa.column("label", sa.String),
    )
    years: dict[int, list[int]] = {}
    for _, goal_id, year in links:
        if year not in years.setdefault(goal_id, []):
            years[goal_id].append(year)
    copies: dict[tuple[int, int], int] = {}  # (old goal, year) -> the goal of that year
    for gid, issuer_id, number, title, label in conn.execute(
        sa.select(goal.c.id, goal.c.issuer_id, goal.c.number, goal.c.title, goal.c.label)
    ).all():
        first, *others = sorted(years.get(gid, [0]))
        conn.execute(sa.update(goal).where(goal.c.id == gid).values(fiscal_year=first))
        copies[(gid, first)] = gid
        for year in others:
            copies[(gid, year)] = conn.execute(
                sa.insert(goal)
                .values(issuer_id=issuer_id, fiscal_year=year, number=number, title=title, label=label)
                .returning(goal.c.id)
            ).scalar_one()
    for rid, goal_id, year in links:
        conn.execute(sa.update(record).where(record.c.id == rid).values(goal_id=copies[(goal_id, year)]))
    conn.execute(sa.update(sa.table("policy_option", sa.column("aliases", sa.JSON))).values(aliases=[]))


def downgrade() -> None:
    with op.batch_alter_table("goal") as batch_op:
        batch_op.drop_constraint("uq_goal_issuer_year_number", type_="unique")
        batch_op.drop_column("fiscal_year")
    with op.batch_alter_table("policy_option") as batch_op:
        batch_op.drop_column("aliases")
    with op.batch_alter_table("issuer") as batch_op:
        batch_op.drop_column("kpi_effective_options")
        batch_op.drop_column("evaluation_options")
        batch_op.drop_column("kind")
