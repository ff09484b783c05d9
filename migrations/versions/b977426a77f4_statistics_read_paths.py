"""statistics read paths: grouping indexes on contract_facts, contract_money, listing_signings, cohort indexes

Each grouping index on contract_facts leads with the columns a figure groups by and carries the period, the filters'
columns and the sums, so a figure is read from one index in group order (no sort of the period's rows).
contract_money holds the counted contracts' payments and rewards by year (the annual report's money), and
listing_signings the conversion funnel's signed and registered stages, one row per listing with a counted contract
linked (both backfilled here). The funnel counts a cohort from (published_at, ...) indexes; the links get an index on
their listing side.

Revision ID: b977426a77f4
Revises: 5c1f0e7d2b94
Create Date: 2026-12-06 04:23:18

"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = 'b977426a77f4'
down_revision = '5c1f0e7d2b94'
branch_labels = None
depends_on = None

COVERED = ("signed_on", "seller_province", "buyer_province", "technical_field", "seller_type", "total_units",
           "technical_units")
GROUPINGS = {
    "ix_contract_facts_by_kind": ("contract_type", "kind"),
    "ix_contract_facts_by_field": ("technical_field",),
    "ix_contract_facts_by_ip_type": ("ip_type",),
    "ix_contract_facts_by_plan_source": ("plan_source",),
    "ix_contract_facts_by_seller_type": ("seller_type", "category"),
    "ix_contract_facts_by_buyer_type": ("buyer_type",),
    "ix_contract_facts_by_provinces": ("seller_province", "buyer_province"),
    "ix_contract_facts_by_buyer_province": ("buyer_province",),
    "ix_contract_facts_by_month": ("year", "month"),
    "ix_contract_facts_by_seller": ("seller_type", "seller_org_id", "seller_name"),
    "ix_contract_facts_by_broker": ("broker_id",),
}
OTHERS = [
    ("ix_achievements_published", "achievements", ["published_at", "org_id", "technical_field"]),
    ("ix_patents_published", "patents", ["published_at", "org_id"]),
    ("ix_deal_achievements_achievement", "deal_achievements", ["achievement_id", "deal_id"]),
    ("ix_deal_patents_patent", "deal_patents", ["patent_id", "deal_id"]),
]


WINDOW = timedelta(days=365)


def _days_within(published, when):
    """As marketplace.statistics.signings decides it at this revision."""
    moment = when if isinstance(when, datetime) else datetime.combine(when, datetime.min.time())
    day = moment.date()
    if day < published.date() - timedelta(days=1) or moment - published > WINDOW:
        return None
    return (day - published.date()).days


def _signings():
    """The listing_signings rows of the listings and contracts recorded so far."""
    deals = sa.table("deals", sa.column("id", sa.Integer()), sa.column("signed_on", sa.Date()),
                     sa.column("registration_status", sa.String()))
    registered_on = sa.case((deals.c.registration_status == "registered", deals.c.signed_on))
    connection = op.get_bind()
    for kind, table, link, listing, field in (("achievement", "achievements", "deal_achievements", "achievement_id",
                                               "technical_field"), ("patent", "patents", "deal_patents", "patent_id",
                                                                    None)):
        listings = sa.table(table, sa.column("id", sa.Integer()), sa.column("published_at", sa.DateTime()),
                            sa.column("org_id", sa.Integer()), *([sa.column(field, sa.String())] if field else []))
        links = sa.table(link, sa.column("deal_id", sa.Integer()), sa.column(listing, sa.Integer()))
        statement = sa.select(
            listings.c.id, listings.c.published_at, listings.c.org_id,
            listings.c[field] if field else sa.null(), sa.func.min(deals.c.signed_on), sa.func.min(registered_on),
        ).select_from(listings.join(links, links.c[listing] == listings.c.id).join(deals, deals.c.id == links.c.deal_id)) \
            .where(listings.c.published_at.is_not(None), deals.c.registration_status != "refused") \
            .group_by(listings.c.id)
        for listing_id, published, org_id, technical_field, signed, registered in connection.execute(statement):
            yield {"published_at": published, "listing_kind": kind, "listing_id": listing_id, "year": published.year,
                   "org_id": org_id, "technical_field": technical_field, "first_signed_on": signed,
                   "first_registered_on": registered, "signed_days": _days_within(published, signed),
                   "registered_within": registered is not None and _days_within(published, registered) is not None}


MONEY_COLUMNS = ["kind", "seller_type", "year", "form", "deal_id", "seller_province", "buyer_province",
                 "technical_field", "seller_org_id", "units", "persons"]


def _money_derivations():
    """The contract_money rows (payments, then rewards) of the contracts recorded so far, from their contract_facts
    rows (as marketplace.statistics.facts derives them at this revision)."""
    text, day, money = sa.String(), sa.Date(), sa.Numeric(16, 4)
    facts = sa.table("contract_facts", sa.column("deal_id", sa.Integer()), sa.column("signed_on", day),
                     sa.column("seller_org_id", sa.Integer()),
                     *(sa.column(name, text) for name in ("seller_type", "seller_province", "buyer_province",
                                                          "technical_field")))
    payments = sa.table("deal_payments", sa.column("deal_id", sa.Integer()), sa.column("received_on", day),
                        sa.column("amount", money))
    rewards = sa.table("deal_rewards", sa.column("deal_id", sa.Integer()), sa.column("form", text),
                       sa.column("amount", money), sa.column("persons", sa.Integer()), sa.column("awarded_on", day))

    def year(column):
        return sa.cast(sa.func.extract("year", column), sa.BigInteger)

    def units(column):
        return sa.cast(sa.func.round(column * 10000), sa.BigInteger)

    f = facts.c
    carried = (f.seller_province, f.buyer_province, f.technical_field, f.seller_org_id)
    received = year(payments.c.received_on)
    awarded = year(sa.func.coalesce(rewards.c.awarded_on, f.signed_on))
    return (
        sa.select(sa.literal("payment"), f.seller_type, received, sa.literal(""), f.deal_id, *carried,
                  sa.func.sum(units(payments.c.amount)), sa.literal(0))
        .select_from(facts.join(payments, payments.c.deal_id == f.deal_id))
        .group_by(f.deal_id, received, f.seller_type, *carried),
        sa.select(sa.literal("reward"), f.seller_type, awarded, rewards.c.form, f.deal_id, *carried,
                  sa.func.sum(units(rewards.c.amount)), sa.func.sum(rewards.c.persons))
        .select_from(facts.join(rewards, rewards.c.deal_id == f.deal_id))
        .group_by(f.deal_id, awarded, rewards.c.form, f.seller_type, *carried),
    )


def _money():
    money = op.create_table(
        "contract_money",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("seller_type", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=10), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("seller_province", sa.String(length=6), nullable=True),
        sa.Column("buyer_province", sa.String(length=6), nullable=True),
        sa.Column("technical_field", sa.String(length=30), nullable=False),
        sa.Column("seller_org_id", sa.Integer(), nullable=True),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_contract_money_deal_id_deals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kind", "seller_type", "year", "form", "deal_id", name=op.f("pk_contract_money")),
        sqlite_with_rowid=False,  # one kind of money of one seller type over a range of years: one sweep
    )
    op.create_index("ix_contract_money_deal", "contract_money", ["deal_id"])
    for statement in _money_derivations():
        op.execute(sa.insert(money).from_select(MONEY_COLUMNS, statement))


def upgrade():
    signings = op.create_table(
        "listing_signings",
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("listing_kind", sa.String(length=20), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("technical_field", sa.String(length=30), nullable=True),
        sa.Column("first_signed_on", sa.Date(), nullable=False),
        sa.Column("first_registered_on", sa.Date(), nullable=True),
        sa.Column("signed_days", sa.Integer(), nullable=True),
        sa.Column("registered_within", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("published_at", "listing_kind", "listing_id", name=op.f("pk_listing_signings")),
        sqlite_with_rowid=False,  # clustered by publication on SQLite: a cohort is read in one sweep
    )
    op.create_index("ix_listing_signings_listing", "listing_signings", ["listing_kind", "listing_id"], unique=True)
    rows = list(_signings())
    for start in range(0, len(rows), 1000):
        op.bulk_insert(signings, rows[start:start + 1000])
    for name, leading in GROUPINGS.items():
        op.create_index(name, "contract_facts", [*leading, *(column for column in COVERED if column not in leading)])
    for name, table, columns in OTHERS:
        op.create_index(name, table, columns)
    _money()


def downgrade():
    op.drop_index("ix_listing_signings_listing", table_name="listing_signings")
    op.drop_table("listing_signings")
    op.drop_index("ix_contract_money_deal", table_name="contract_money")
    op.drop_table("contract_money")
    for name, table, _columns in reversed(OTHERS):
        op.drop_index(name, table_name=table)
    for name in reversed(list(GROUPINGS)):
        op.drop_index(name, table_name="contract_facts")
