"""The statistics' summary table: one row per counted technology contract (not refused registration) with every
dimension the figures group or filter by already derived — the parties' institution types and provinces, the report
category, year and month, amounts as whole 0.0001 万元 units — so each figure is one scan of one narrow table instead
of a join of the contracts with their two parties. Kept in step with the deals by :mod:`.facts` (every flush that
touches a contract or a party re-derives its row; bulk writers call :func:`.facts.refresh`)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


#: what every grouping index carries after its leading columns: the period and the filters' columns (a region of
#: either side, the field, the seller's type) and the sums, so a figure is read from the index alone, whatever the
#: filters (one institution is read through ix_contract_facts_seller_org instead)
COVERED = ("signed_on", "seller_province", "buyer_province", "technical_field", "seller_type", "total_units",
           "technical_units")
#: grouping index name → its leading columns: the figures group by them and read the rows in that order, so the
#: database adds up each group as it passes instead of sorting the period's rows first (a sort of 100,000 rows
#: cost more than the scan); :mod:`.contracts` names the index of each figure
GROUPINGS: dict[str, tuple[str, ...]] = {
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


def grouping_indexes() -> list[Index]:
    return [Index(name, *leading, *(column for column in COVERED if column not in leading))
            for name, leading in GROUPINGS.items()]


class ContractFact(db.Model):
    __tablename__ = "contract_facts"
    __table_args__ = (
        Index("ix_contract_facts_deal_id", "deal_id", unique=True),
        Index("ix_contract_facts_seller_org", "seller_org_id", "signed_on"),
        *grouping_indexes(),
        # clustered by signing date on SQLite: a period's rows are read in one sweep, not looked up one by one
        {"sqlite_with_rowid": False},
    )

    signed_on: Mapped[date] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)  # yyyymm
    contract_type: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(51))  # "type.subtype" (vocabularies.CONTRACT_KINDS)
    category: Mapped[str] = mapped_column(String(20))  # annual_report.REPORT_CATEGORIES (作价投资 = "equity")
    technical_field: Mapped[str] = mapped_column(String(30))
    ip_type: Mapped[str] = mapped_column(String(30))
    plan_source: Mapped[str] = mapped_column(String(20))
    seller_type: Mapped[str] = mapped_column(String(12))  # filters.INSTITUTION_TYPES of the seller's 主体性质
    buyer_type: Mapped[str] = mapped_column(String(12))
    seller_province: Mapped[str | None] = mapped_column(String(6))  # "220000"; None: no region (abroad)
    buyer_province: Mapped[str | None] = mapped_column(String(6))
    seller_org_id: Mapped[int | None] = mapped_column(Integer)
    seller_name: Mapped[str] = mapped_column(String(200))
    broker_id: Mapped[int | None] = mapped_column(Integer)
    total_units: Mapped[int] = mapped_column(BigInteger)  # 合同成交额 in 0.0001 万元
    technical_units: Mapped[int] = mapped_column(BigInteger)  # 技术交易额 in 0.0001 万元


class ContractMoney(db.Model):
    """Money of the counted contracts by year, for the annual report: one row per contract, kind (``payment``: money
    received, 当年到账; ``reward``: rewards to individuals, by form) and year (a payment's year of receipt, a reward's
    of award — the signing date's when none was recorded), with the contract's seller type and the filters' columns
    copied from its :class:`ContractFact` — so the money of a period is one range of one narrow table instead of
    every institution's contract joined to its payments. Kept in step with the contract's fact row by :mod:`.facts`
    (the same flushes and :func:`.facts.refresh`)."""

    __tablename__ = "contract_money"
    __table_args__ = (
        Index("ix_contract_money_deal", "deal_id"),
        # clustered so that one kind of money of one seller type over a range of years is one sweep, in group order
        {"sqlite_with_rowid": False},
    )

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # "payment" or "reward"
    seller_type: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    form: Mapped[str] = mapped_column(String(10), primary_key=True)  # a reward's form (REWARD_FORMS); "" payments
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    seller_province: Mapped[str | None] = mapped_column(String(6))
    buyer_province: Mapped[str | None] = mapped_column(String(6))
    technical_field: Mapped[str] = mapped_column(String(30))
    seller_org_id: Mapped[int | None] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(BigInteger)  # in 0.0001 万元
    persons: Mapped[int] = mapped_column(Integer)  # rewarded persons (0 for payments)

class ListingSigning(db.Model):
    """The conversion funnel's signed and registered stages, one row per listing (achievement or patent) with a
    counted contract (not refused registration) linked to it: when it was published, the first linked contract's
    signing date and the first registered one's, and whether each came within the funnel's 12 months — so a cohort's
    last two stages are read from one narrow table instead of every link of every listing published in the period.
    Kept in step by :mod:`.signings` (a flush touching a contract, its links or a listing's publication, owner or
    field re-derives the rows of the listings concerned; bulk writers call :func:`.signings.refresh`)."""

    __tablename__ = "listing_signings"
    __table_args__ = (
        Index("ix_listing_signings_listing", "listing_kind", "listing_id", unique=True),
        # clustered by publication on SQLite: a cohort's rows are read in one sweep
        {"sqlite_with_rowid": False},
    )

    published_at: Mapped[datetime] = mapped_column(primary_key=True)
    listing_kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # "achievement" or "patent"
    listing_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)  # of publication
    org_id: Mapped[int | None] = mapped_column(Integer)
    technical_field: Mapped[str | None] = mapped_column(String(30))  # an achievement's (patents carry none)
    first_signed_on: Mapped[date] = mapped_column()
    first_registered_on: Mapped[date | None] = mapped_column()
    signed_days: Mapped[int | None] = mapped_column(Integer)  # publication → first signing; None: not within 12 months
    registered_within: Mapped[bool] = mapped_column()  # the first registered contract was signed within 12 months
