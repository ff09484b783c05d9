"""The statistics' summary table: one row per counted technology contract (not refused registration) with every
dimension the figures group or filter by already derived — the parties' institution types and provinces, the report
category, year and month, amounts as whole 0.0001 万元 units — so each figure is one scan of one narrow table instead
of a join of the contracts with their two parties. Kept in step with the deals by :mod:`.facts` (every flush that
touches a contract or a party re-derives its row; bulk writers call :func:`.facts.refresh`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ContractFact(db.Model):
    __tablename__ = "contract_facts"
    __table_args__ = (
        Index("ix_contract_facts_deal_id", "deal_id", unique=True),
        Index("ix_contract_facts_seller_org", "seller_org_id", "signed_on"),
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
