"""The cohort funnel, open licences, the quality list and brokers, against hand-counted fixtures."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from marketplace.deals.models import Opportunity, PatentLicence
from marketplace.deals.services import record_deal
from marketplace.extensions import db
from marketplace.inquiries.models import Inquiry
from marketplace.statistics import funnel, programmes
from marketplace.statistics.filters import StatsFilter
from marketplace.workflow import SYSTEM
from marketplace.workflow.deals import DEAL

from .. import factories
from . import fixture


def published(owner, broker, when: datetime, **changes):
    record = factories.achievement(owner, publish_by=broker, **changes)
    record.published_at = when
    return record


def ask(record, asker_org, when: datetime, answered: datetime | None = None) -> Inquiry:
    inquiry = Inquiry(subject_kind="achievement", subject_id=record.id, subject_title=record.title,
                      asker_org_id=asker_org.id, holder_org_id=record.org_id, cooperation_mode="licence",
                      created_at=when, answered_at=answered, status="answered" if answered else "open")
    db.session.add(inquiry)
    return inquiry


def signed(record, on: str, *, register: bool = False):
    seller = fixture.party("seller", "某大学", "022", "220100", 1, record.organization)
    buyer = fixture.party("buyer", "某公司", "150", "220100", 4)
    deal = record_deal(SYSTEM, {"name": "合同", "contract_type": "licence", "contract_subtype": "patent_ordinary",
                                "total_amount": "10", "technical_amount": "10", "payment_method": "lump_sum",
                                "signed_on": on, "technical_field": "new_materials", "parties": [seller, buyer]},
                       achievements=[record])
    if register:
        DEAL.apply(SYSTEM, deal, "register")
    return deal


def test_the_funnel_counts_a_cohort_within_twelve_months(ctx):
    university = factories.organization("university")
    owner, broker = factories.user(university), factories.broker()
    company = factories.organization("enterprise")
    a = published(owner, broker, datetime(2025, 1, 10))  # asked, answered, signed after 50 days, registered
    b = published(owner, broker, datetime(2025, 3, 1))  # asked, answered, signed after 400 days: too late
    c = published(owner, broker, datetime(2025, 6, 1))  # asked only
    published(owner, broker, datetime(2025, 7, 1))  # nothing
    e = published(owner, broker, datetime(2026, 2, 1))  # next year's cohort: signed after 100 days
    published(owner, broker, datetime(2024, 12, 31))  # before the period
    ask(a, company, datetime(2025, 1, 20), answered=datetime(2025, 1, 22))
    ask(b, company, datetime(2025, 3, 5), answered=datetime(2025, 3, 6))
    ask(c, company, datetime(2025, 6, 2))
    signed(a, "2025-03-01", register=True)
    signed(b, "2026-04-05")
    signed(e, "2026-05-12")
    db.session.flush()
    rows = {row.period: row for row in funnel.funnel(StatsFilter(2025, 2026))}
    assert rows[2025].counts == {"published": 4, "inquired": 3, "negotiation": 2, "signed": 1, "registered": 1}
    assert rows[2026].counts == {"published": 1, "inquired": 0, "negotiation": 0, "signed": 1, "registered": 0}
    assert rows[None].counts["published"] == 5 and rows[None].counts["signed"] == 2
    assert rows[2025].rate("signed") == Decimal("25.0") and rows[2025].step_rate("negotiation") == Decimal("66.7")
    assert (rows[2025].median_days, rows[2025].p90_days) == (50, 50)
    assert (rows[None].median_days, rows[None].p90_days) == (50, 100)


def test_open_licences_quality_list_and_brokers(ctx):
    university = factories.organization("university")
    owner, broker = factories.user(university), factories.broker()
    patent = factories.patent(owner)
    from marketplace.patents.services import declare_open_licence
    declare_open_licence(owner, patent, {"fee_terms": "入门费5万元", "term_years": 3, "scope": "全国 普通许可"})
    db.session.add(PatentLicence(patent=patent, licensee_name="某公司", fee_terms="入门费5万元", starts_on=date.today(),
                                 term_years=3, ends_on=date(date.today().year + 3, 1, 1), via_open_licence=True))
    for year in (2025, 2025, 2026):
        record = published(owner, broker, datetime(year, 5, 1))
        record.quality_year = year
    db.session.add(Opportunity(title="线索", source="manual", broker_id=broker.id))
    deal = signed(published(owner, broker, datetime(2026, 1, 1)), f"{date.today().year}-01-02")
    deal.broker_id = broker.id
    db.session.flush()
    this_year = StatsFilter(date.today().year, date.today().year)
    assert programmes.open_licences(this_year) == programmes.OpenLicenceFigures(1, 1, 1)
    assert [(q.year, q.listed, q.share_of_target) for q in programmes.quality_list(StatsFilter(2025, 2026))] == [
        (2025, 2, Decimal("1.0")), (2026, 1, Decimal("0.5"))]
    [row] = programmes.brokers(this_year)
    assert (row.broker_id, row.opportunities, row.contracts, row.contract_amount) == (broker.id, 1, 1,
                                                                                      Decimal("10.0000"))
    assert row.agency == broker.organization.name
