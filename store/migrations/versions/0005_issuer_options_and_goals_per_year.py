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
    with op.batch_alter_table("issuer") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="都道府県"))
        batch_op.add_column(sa.Column("evaluation_options", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("kpi_effective_options", sa.JSON(), nullable=True))
    with op.batch_alter_table("policy_option") as batch_op:
        batch_op.add_column(sa.Column("aliases", sa.JSON(), nullable=True))
    with op.batch_alter_table("goal") as batch_op:
        batch_op.add_column(sa.Column("fiscal_year", sa.Integer(), nullable=True))

    conn = op.get_bind()
    goal = sa.table(
        "goal",
        sa.column("id", sa.Integer),
        sa.column("issuer_id", sa.Integer),
        sa.column("fiscal_year", sa.Integer),
        sa.column("number", sa.Integer),
        sa.column("title", sa.String),
        sa.column("label", sa.String),
    )
    record = sa.table("record", sa.column("goal_id", sa.Integer), sa.column("fiscal_year", sa.Integer))
    years: dict[int, list[int]] = {}
    for goal_id, year in conn.execute(
        sa.select(record.c.goal_id, record.c.fiscal_year)
        .where(record.c.goal_id.is_not(None))
        .distinct()
        .order_by(record.c.goal_id, record.c.fiscal_year)
    ):
        years.setdefault(goal_id, []).append(year)
    for gid, issuer_id, number, title, label in conn.execute(
        sa.select(goal.c.id, goal.c.issuer_id, goal.c.number, goal.c.title, goal.c.label)
    ).all():
        first, *others = years.get(gid, [0])
        conn.execute(sa.update(goal).where(goal.c.id == gid).values(fiscal_year=first))
        for year in others:
            new_id = conn.execute(
                sa.insert(goal)
                .values(issuer_id=issuer_id, fiscal_year=year, number=number, title=title, label=label)
                .returning(goal.c.id)
            ).scalar_one()
            conn.execute(
                sa.update(record).where(record.c.goal_id == gid, record.c.fiscal_year == year).values(goal_id=new_id)
            )
    conn.execute(sa.update(sa.table("policy_option", sa.column("aliases", sa.JSON))).values(aliases=[]))

    dialect = conn.dialect.name
    with op.batch_alter_table("goal", naming_convention=_NAMING) as batch_op:
        _drop_old_goal_unique(batch_op, dialect)
        batch_op.alter_column("fiscal_year", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_goal_issuer_year_number", ["issuer_id", "fiscal_year", "number"])


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
