"""The demo's deals: inquiries in every state, a few hundred technology contracts over four years with realistic
spreads (each one valid input again), registration numbers, payments, rewards, consents, the pipeline at every stage
and licences under open licences; loaded once."""
from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy import func

from marketplace.audit.models import AuditEvent
from marketplace.deals.contract_input import ContractInput
from marketplace.deals.editing import contract_data
from marketplace.deals.identifiers import is_valid_credit_code, is_valid_region
from marketplace.deals.models import Deal, DealPayment, DealReward, Opportunity, PatentLicence
from marketplace.deals.vocabularies import CONTRACT_FIELDS, CONTRACT_TYPES, INQUIRY_DECLINE_REASONS
from marketplace.demo import loader
from marketplace.demo.deals import PLAN
from marketplace.extensions import db
from marketplace.inquiries.models import Inquiry
from marketplace.inquiries.overdue import is_overdue
from marketplace.workflow.deals import INQUIRY_LABELS, OPPORTUNITY_LABELS


def _all(model) -> list:
    return list(db.session.execute(db.select(model).order_by(model.id)).scalars())


def test_demo_contracts_inquiries_and_pipeline(app):
    with app.app_context():
        counts = loader.load_demo(seed=2026)
        db.session.commit()
        assert counts["deals"]["created"] >= 300 and counts["inquiries"]["created"] >= 40
        today = date.today()

        deals = _all(Deal)
        assert len(deals) == counts["deals"]["created"] >= sum(p["contracts"] for p in PLAN)
        years = Counter(d.signed_on.year for d in deals)
        assert set(years) >= {today.year - n for n in range(4)} and len(years) >= 4
        assert all(d.signed_on <= today for d in deals)
        kinds = Counter(d.contract_type for d in deals)
        assert set(kinds) == set(CONTRACT_TYPES)
        assert kinds.most_common(2)[0][0] in ("service", "development")  # 技术服务 and 技术开发 the most
        assert min(kinds["service"], kinds["development"]) > max(kinds["transfer"], kinds["licence"],
                                                                 kinds["consulting"])
        assert sum(d.equity_investment for d in deals) >= 2
        assert all(d.contract_type == "transfer" for d in deals if d.equity_investment)
        fields = Counter(d.technical_field for d in deals)
        assert set(fields) == set(CONTRACT_FIELDS)
        assert {f for f, _ in fields.most_common(2)} == {"electronics", "manufacturing"}

        amounts = sorted(d.total_amount for d in deals)
        assert amounts[len(amounts) // 2] < 50  # most contracts are small (万元)
        assert sum(a >= 100 for a in amounts) >= 20 and amounts[-1] >= 10000  # a long tail, some above ¥1亿
        assert all(d.technical_amount <= d.total_amount for d in deals)
        assert sum(d.technical_amount < d.total_amount for d in deals) >= len(deals) // 4
        assert Counter(d.plan_source for d in deals).most_common(1)[0][0] == "none"
        assert {d.payment_method for d in deals} == {"lump_sum", "instalments", "royalty", "equity"}

        for deal in deals:  # every contract is valid input again, exactly as recorded
            errors = ContractInput().validate(contract_data(deal))
            assert not errors, (deal.name, errors)
        parties = [p for d in deals for p in d.parties]
        assert all(is_valid_credit_code(p.credit_code) for p in parties if p.nature != "400")
        assert all(p.region and is_valid_region(p.region) for p in parties)
        assert all(len(p.credit_code or "") in (0, 18) and len(p.nature) == 3 for p in parties)
        sellers = Counter(d.seller.nature for d in deals)
        assert sellers["021"] + sellers["022"] > len(deals) / 2  # sellers mostly institutes and universities
        buyers = [d.buyer for d in deals]
        assert sum(b.nature[0] in "123" for b in buyers) > len(deals) / 2  # buyers mostly enterprises
        assert len({b.region[:2] for b in buyers}) >= 15
        assert any(b.org_id is None for b in buyers) and any(b.org_id is not None for b in buyers)
        assert {"high_tech_zone", "listed"} <= {flag for b in buyers for flag in b.flags}

        middlemen = [d for d in deals if d.contract_subtype == "intermediary"]
        assert middlemen and all(d.underlying_deal is not None and d.party("intermediary") is not None
                                 and d.party("intermediary").org_id == d.agency_org_id for d in middlemen)

        statuses = Counter(str(d.registration_status) for d in deals)
        assert set(statuses) == {"registered", "pending", "refused"}
        assert statuses["registered"] > 0.85 * len(deals)
        numbers = [d.registration_number for d in deals if d.registration_number]
        assert len(numbers) == len(set(numbers)) == statuses["registered"]
        assert all(len(n) == 16 and n.isdigit() and int(n[:4]) == d.registered_on.year
                   for d in deals if (n := d.registration_number))
        assert all(d.signed_on <= d.registered_on <= today for d in deals if d.registered_on)
        assert all(d.registration_reason for d in deals if d.registration_status == "refused")

        payments = _all(DealPayment)
        assert all(p.deal.signed_on <= p.received_on <= today and p.amount > 0 for p in payments)
        assert all(d.received_amount <= d.total_amount for d in deals)
        by_year = Counter()
        for p in payments:
            by_year[p.received_on.year] += p.amount
        signed = Counter()
        for d in deals:
            signed[d.signed_on.year] += d.total_amount
        assert len(by_year) >= 4 and by_year != signed  # money arrives over the years
        assert any(len({p.received_on.year for p in d.payments}) > 1 for d in deals)
        rewards = _all(DealReward)
        assert {r.form for r in rewards} == {"cash", "equity"} and len(rewards) >= 50
        assert all(r.deal.seller.nature in ("021", "022") and r.persons >= 1 for r in rewards)
        public = [d for d in deals if d.seller_consents_to_publish and d.buyer_consents_to_publish]
        assert 0.2 * len(deals) <= len(public) <= 0.45 * len(deals)
        assert any(d.achievements for d in deals) and any(d.patents for d in deals)

        inquiries = _all(Inquiry)
        states = Counter(str(i.status) for i in inquiries)
        assert set(states) == set(INQUIRY_LABELS)
        assert {i.subject_kind for i in inquiries} == {"achievement", "patent", "demand", "challenge"}
        assert {i.decline_reason for i in inquiries if i.status == "declined"} == set(INQUIRY_DECLINE_REASONS)
        assert all(i.broker_id is not None and i.asker_org_id != i.holder_org_id for i in inquiries)
        flagged = [i for i in inquiries if i.overdue_flagged_at is not None]
        assert 2 <= len(flagged) and all(is_overdue(i) for i in flagged)
        assert any(i.status == "open" and not is_overdue(i) for i in inquiries)
        assert all(i.messages[0].created_at == i.created_at and i.created_at <= i.last_message_at
                   for i in inquiries)
        assert len({i.created_at.date() for i in inquiries}) > 20  # spread over the last months
        assert any(d.inquiry is not None for d in deals)

        opportunities = _all(Opportunity)
        assert set(str(o.stage) for o in opportunities) == set(OPPORTUNITY_LABELS)
        assert all(o.lost_reason for o in opportunities if o.stage == "lost")
        brokers = {o.broker_id for o in opportunities if o.broker_id is not None}
        assert len(brokers) >= 2
        assert all(o.deal is not None for o in opportunities if o.stage in ("signed", "registered",
                                                                            "in_performance", "won"))
        assert all(o.created_at <= (o.closed_at or o.created_at) for o in opportunities)

        licences = _all(PatentLicence)
        assert licences and all(lic.via_open_licence and lic.deal is not None and lic.patent.has_open_licence
                                and lic.deal.contract_subtype == "patent_ordinary"
                                and lic.starts_on < today < lic.ends_on for lic in licences)
        assert db.session.execute(db.select(func.max(func.length(AuditEvent.action)))).scalar_one() <= 80

        again = loader.load_demo(seed=2026)
        assert again["deals"] == {"created": 0, "skipped": len(deals)}
        assert again["inquiries"] == {"created": 0, "skipped": len(inquiries)}
        assert db.session.execute(db.select(func.count()).select_from(Deal)).scalar_one() == len(deals)
        assert sum(d.total_amount for d in deals) > Decimal("10000")
