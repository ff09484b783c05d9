"""contract_facts: the statistics' summary table, one row per counted contract with its dimensions derived

Revision ID: 5c1f0e7d2b94
Revises: aea984831c75
Create Date: 2026-12-06 04:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5c1f0e7d2b94'
down_revision = 'aea984831c75'
branch_labels = None
depends_on = None

COLUMNS = ["deal_id", "signed_on", "year", "month", "contract_type", "kind", "category", "technical_field", "ip_type",
           "plan_source", "seller_type", "buyer_type", "seller_province", "buyer_province", "seller_org_id",
           "seller_name", "broker_id", "total_units", "technical_units"]


def _derivation():
    """The rows of the contracts recorded so far (as marketplace.statistics.facts derives them at this revision)."""
    text, day, money = sa.String(), sa.Date(), sa.Numeric(16, 4)
    deals = sa.table("deals", sa.column("id", sa.Integer()), sa.column("signed_on", day),
                     *(sa.column(name, text) for name in ("contract_type", "contract_subtype", "technical_field",
                                                          "ip_type", "plan_source", "registration_status")),
                     sa.column("equity_investment", sa.Boolean()), sa.column("broker_id", sa.Integer()),
                     sa.column("total_amount", money), sa.column("technical_amount", money))
    parties = sa.table("deal_parties", sa.column("deal_id", sa.Integer()), sa.column("org_id", sa.Integer()),
                       *(sa.column(name, text) for name in ("role", "name", "nature", "region")))
    seller, buyer = parties.alias("seller"), parties.alias("buyer")

    def group(party):
        return sa.case((party.c.nature == "022", sa.literal("university")),
                       (party.c.nature == "021", sa.literal("institute")),
                       (sa.func.substr(party.c.nature, 1, 1).in_(("1", "2", "3")), sa.literal("enterprise")),
                       else_=sa.literal("other"))

    def province(party):
        return sa.func.substr(party.c.region, 1, 2) + sa.literal("0000")

    def units(column):
        return sa.cast(sa.func.round(column * 10000), sa.BigInteger)

    d = deals.c
    year = sa.cast(sa.func.extract("year", d.signed_on), sa.BigInteger)
    month = year * 100 + sa.cast(sa.func.extract("month", d.signed_on), sa.BigInteger)
    return sa.select(
        d.id, d.signed_on, year, month, d.contract_type, d.contract_type + sa.literal(".") + d.contract_subtype,
        sa.case((d.equity_investment.is_(True), sa.literal("equity")), else_=d.contract_type), d.technical_field,
        d.ip_type, d.plan_source, group(seller), group(buyer), province(seller), province(buyer), seller.c.org_id,
        seller.c.name, d.broker_id, units(d.total_amount), units(d.technical_amount),
    ).select_from(deals.join(seller, sa.and_(seller.c.deal_id == d.id, seller.c.role == "seller"))
                  .join(buyer, sa.and_(buyer.c.deal_id == d.id, buyer.c.role == "buyer"))) \
        .where(d.registration_status != "refused")


def upgrade():
    facts = op.create_table(
        "contract_facts",
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("contract_type", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=51), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("technical_field", sa.String(length=30), nullable=False),
        sa.Column("ip_type", sa.String(length=30), nullable=False),
        sa.Column("plan_source", sa.String(length=20), nullable=False),
        sa.Column("seller_type", sa.String(length=12), nullable=False),
        sa.Column("buyer_type", sa.String(length=12), nullable=False),
        sa.Column("seller_province", sa.String(length=6), nullable=True),
        sa.Column("buyer_province", sa.String(length=6), nullable=True),
        sa.Column("seller_org_id", sa.Integer(), nullable=True),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("broker_id", sa.Integer(), nullable=True),
        sa.Column("total_units", sa.BigInteger(), nullable=False),
        sa.Column("technical_units", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_contract_facts_deal_id_deals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("signed_on", "deal_id", name=op.f("pk_contract_facts")),
        sqlite_with_rowid=False,  # clustered by signing date on SQLite: a period is read in one sweep
    )
    op.create_index("ix_contract_facts_deal_id", "contract_facts", ["deal_id"], unique=True)
    op.create_index("ix_contract_facts_seller_org", "contract_facts", ["seller_org_id", "signed_on"], unique=False)
    op.execute(sa.insert(facts).from_select(COLUMNS, _derivation()))


def downgrade():
    op.drop_index("ix_contract_facts_seller_org", table_name="contract_facts")
    op.drop_index("ix_contract_facts_deal_id", table_name="contract_facts")
    op.drop_table("contract_facts")
