"""Contracts through the services: creating from an inquiry, an opportunity or a brokered contract (pre-fill and
links), editing with optimistic locking, registration (number, date, uniqueness), refusal and resubmission, payments
and rewards with their totals, consent, and the audit trail each change leaves."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace.accounts.models import Organization, User
from marketplace.audit.models import AuditEvent
from marketplace.deals import editing, payments, prefill, publicity, services
from marketplace.deals.models import Deal, Opportunity
from marketplace.errors import Conflict, NotFound, PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from marketplace.inquiries import services as inquiries
from tests import factories as f
from tests.api.conftest import _cheap_password_hashing  # noqa: F401
from tests.deals.deal_world import contract, world  # noqa: F401

NUMBER = "2025220100000123"


def user(world, name) -> User:  # noqa: F811
    return db.session.get(User, world.ids[name])


def deal_of(world) -> Deal:  # noqa: F811
    return db.session.get(Deal, world.ids["deal"])


def events(deal: Deal) -> list[str]:
    return [e.action for e in db.session.execute(db.select(AuditEvent).where(
        AuditEvent.target_type == "deals", AuditEvent.target_id == deal.id).order_by(AuditEvent.id)).scalars()]


def test_prefill_from_an_inquiry_about_an_achievement(ctx, world):  # noqa: F811
    seller, buyer, broker = user(world, "seller"), user(world, "buyer"), user(world, "broker")
    achievement = f.achievement(seller, publish_by=broker, technical_field="ai")
    inquiry = inquiries.send_inquiry(buyer, {"subject_kind": "achievement", "subject_id": achievement.id,
                                             "message": "希望获得许可", "cooperation_mode": "licence", "budget": "80"})
    data, links = prefill.new_contract(broker, inquiry_id=inquiry.id)
    parties = {party["role"]: party for party in data["parties"]}
    assert parties["seller"]["name"] == "吉林合同大学" and parties["buyer"]["name"] == "长春合同材料有限公司"
    assert parties["seller"]["nature"] == "022" and parties["seller"]["credit_code"]
    assert data["technical_field"] == "electronics"  # ai → 电子信息 (FIELD_TO_CONTRACT_FIELD)
    assert (data["contract_type"], data["contract_subtype"]) == ("licence", "know_how")
    assert data["total_amount"] == "80"
    assert links == {"inquiry_id": inquiry.id, "achievement_ids": [achievement.id]}
    data.update(technical_amount="60", name="人工智能视觉检测技术秘密许可合同")
    deal = services.create_deal(broker, data, links)
    assert deal.inquiry is inquiry and deal.achievements == [achievement] and deal.broker is broker
    assert deal.agency.name == "吉林技术转移中心"


def test_for_a_demand_the_asker_is_the_seller(ctx, world):  # noqa: F811
    seller, buyer, broker = user(world, "seller"), user(world, "buyer"), user(world, "broker")
    demand = f.demand(buyer, publish_by=broker)
    inquiry = inquiries.send_inquiry(seller, {"subject_kind": "demand", "subject_id": demand.id,
                                              "message": "我们有相关成果", "cooperation_mode": "joint_development"})
    data, links = prefill.new_contract(broker, inquiry_id=inquiry.id)
    roles = {party["role"]: party["name"] for party in data["parties"]}
    assert roles == {"seller": "吉林合同大学", "buyer": "长春合同材料有限公司"}
    assert (data["contract_type"], data["contract_subtype"]) == ("development", "cooperative")
    assert links["demand_id"] == demand.id


def test_from_an_opportunity_links_it_and_needs_its_broker(ctx, world):  # noqa: F811
    university, enterprise = db.session.get(Organization, world.ids["university"]), \
        db.session.get(Organization, world.ids["enterprise"])
    broker, broker2 = user(world, "broker"), user(world, "broker2")
    opportunity = Opportunity(title="正极材料许可商机", source="manual", seller_org=university, buyer_org=enterprise,
                              broker=broker, expected_amount=Decimal("300"))
    db.session.add(opportunity)
    db.session.flush()
    data, links = prefill.new_contract(broker, opportunity_id=opportunity.id)
    assert data["name"] == "正极材料许可商机" and data["total_amount"] == "300"
    assert [party["role"] for party in data["parties"]] == ["seller", "buyer"]
    full = contract(university, enterprise, name=data["name"])
    with pytest.raises(PermissionDenied):  # another broker's opportunity
        services.create_deal(broker2, full, links)
    deal = services.create_deal(broker, full, links)
    assert opportunity.deal is deal and str(opportunity.stage) == "signed"


def test_an_intermediary_contract_for_a_brokered_one(ctx, world):  # noqa: F811
    broker, underlying = user(world, "broker"), deal_of(world)
    data, links = prefill.new_contract(broker, underlying_id=underlying.id)
    assert (data["contract_type"], data["contract_subtype"]) == ("service", "intermediary")
    intermediary = [party for party in data["parties"] if party["role"] == "intermediary"]
    assert [party["name"] for party in intermediary] == ["吉林技术转移中心"]
    data.update(total_amount="6", technical_amount="6", payment_method="lump_sum")
    deal = services.create_deal(broker, data, links)
    assert deal.underlying_deal is underlying and deal.party("intermediary").org_id == world.ids["agency"]


def test_a_missing_link_is_named(ctx, world):  # noqa: F811
    university, enterprise = db.session.get(Organization, world.ids["university"]), \
        db.session.get(Organization, world.ids["enterprise"])
    with pytest.raises(ValidationFailed) as caught:
        services.create_deal(user(world, "broker"), contract(university, enterprise), {"inquiry_id": 999999})
    assert "inquiry_id" in caught.value.errors and "来源洽谈" in caught.value.message


def test_edit_merges_validates_and_audits(ctx, world):  # noqa: F811
    deal, broker = deal_of(world), user(world, "broker")
    with pytest.raises(ValidationFailed) as caught:
        editing.edit_deal(broker, deal, {"technical_amount": "500"}, partial=True)  # above the stored 成交额
    assert "technical_amount" in caught.value.errors and "技术交易额" in caught.value.message
    db.session.rollback()
    deal = deal_of(world)
    editing.edit_deal(broker, deal, {"total_amount": "130", "name": "修改后的合同名称"}, deal.version, partial=True)
    db.session.commit()
    assert deal.total_amount == Decimal("130") and deal.version == 2
    assert events(deal)[-1] == "deal.edit"
    with pytest.raises(Conflict):  # a second editor still on version 1
        editing.edit_deal(broker, deal, {"name": "另一个名称"}, 1, partial=True)
    with pytest.raises(PermissionDenied):  # a party's member
        editing.edit_deal(user(world, "seller"), deal, {"name": "卖方改的"}, partial=True)
    with pytest.raises(NotFound):
        editing.edit_deal(user(world, "third"), deal, {"name": "第三方改的"}, partial=True)


def test_register_refuse_resubmit(ctx, world):  # noqa: F811
    deal, broker = deal_of(world), user(world, "broker")
    for data, field in (({"registration_number": "123", "registered_on": "2025-03-10"}, "registration_number"),
                        ({"registration_number": NUMBER, "registered_on": "2025-03-01"}, "registered_on"),
                        ({"registration_number": NUMBER, "registered_on":
                          (date.today() + timedelta(days=1)).isoformat()}, "registered_on"),
                        ({"registration_number": NUMBER}, "registered_on")):
        with pytest.raises(ValidationFailed) as caught:
            editing.perform(broker, deal, "register", data)
        assert field in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        editing.perform(broker, deal, "refuse", {"reason": "  "})
    assert "reason" in caught.value.errors
    editing.perform(broker, deal, "refuse", {"reason": "合同标的不明确"})
    assert str(deal.registration_status) == "refused" and deal.registration_reason == "合同标的不明确"
    with pytest.raises(StateConflict):
        editing.perform(broker, deal, "register", {"registration_number": NUMBER, "registered_on": "2025-03-10"})
    editing.perform(broker, deal, "resubmit", {})
    editing.perform(broker, deal, "register", {"registration_number": NUMBER, "registered_on": "2025-03-10"})
    db.session.commit()
    assert (deal.registration_number, deal.registered_on, str(deal.registration_status)) == \
        (NUMBER, date(2025, 3, 10), "registered")
    assert events(deal)[-3:] == ["deal.refuse", "deal.resubmit", "deal.register"]
    with pytest.raises(StateConflict):  # a registered contract's fields are what was registered
        editing.edit_deal(broker, deal, {"name": "登记后修改"}, partial=True)
    university = db.session.get(Organization, world.ids["university"])
    enterprise = db.session.get(Organization, world.ids["enterprise"])
    other = services.create_deal(broker, contract(university, enterprise, name="另一份合同"))
    with pytest.raises(ValidationFailed) as caught:  # the number is unique across contracts
        editing.perform(broker, other, "register", {"registration_number": NUMBER, "registered_on": "2025-03-10"})
    assert "高镍正极材料包覆专利实施许可合同" in caught.value.errors["registration_number"][0]


def test_payments_rewards_and_totals(ctx, world):  # noqa: F811
    deal, broker, seller, buyer = deal_of(world), user(world, "broker"), user(world, "seller"), user(world, "buyer")
    payments.add_payment(seller, deal, {"received_on": "2025-04-01", "amount": "40.1234"})  # the seller records
    payments.add_payment(broker, deal, {"received_on": "2026-01-15", "amount": 20})
    db.session.commit()
    with pytest.raises(PermissionDenied):
        payments.add_payment(buyer, deal, {"received_on": "2025-04-01", "amount": "1"})
    with pytest.raises(ValidationFailed) as caught:
        payments.add_payment(broker, deal, {"received_on": "2025-04-01", "amount": "0"})
    assert "amount" in caught.value.errors and "金额" in caught.value.message
    db.session.rollback()
    deal = deal_of(world)
    assert deal.received_amount == Decimal("60.1234")
    assert payments.received_by_year(deal) == [(2025, Decimal("40.1234")), (2026, Decimal("20"))]
    reward = payments.add_reward(broker, deal, {"form": "cash", "amount": "12", "persons": 3})
    db.session.commit()
    with pytest.raises(PermissionDenied):
        payments.add_reward(seller, deal, {"form": "cash", "amount": "12", "persons": 3})
    db.session.rollback()
    deal = deal_of(world)
    payments.delete_payment(broker, deal, deal.payments[0].id)
    db.session.commit()
    assert deal.received_amount == Decimal("20") and len(deal.rewards) == 1 and reward.id
    assert events(deal)[-4:] == ["deal.record_payment", "deal.record_payment", "deal.record_reward",
                                 "deal.delete_payment"]


def test_consent_by_each_side_and_the_public_list(ctx, world):  # noqa: F811
    deal = deal_of(world)
    with pytest.raises(PermissionDenied):  # staff cannot consent for a party
        editing.perform(user(world, "broker"), deal, "consent", {})
    editing.perform(user(world, "seller"), deal, "consent", {"consent": "1"})
    assert deal.seller_consents_to_publish and not deal.buyer_consents_to_publish
    assert publicity.public_page().total == 0
    editing.perform(user(world, "buyer"), deal, "consent", {})
    db.session.commit()
    page = publicity.public_page()
    assert page.total == 1
    item = page.items[0]
    assert (item.signed_month, item.seller, item.amount_band) == ("2025-03", "吉林合同大学", "100–500 万元")
    assert not hasattr(item, "total_amount")
    editing.perform(user(world, "buyer"), deal, "consent", {"consent": "0"})  # withdrawn
    db.session.commit()
    assert publicity.public_page().total == 0
    assert events(deal)[-3:] == ["deal.consent"] * 3


def test_amount_bands():
    assert publicity.amount_band(Decimal("9.99")) == "10 万元以下"
    assert publicity.amount_band(Decimal("10")) == "10–100 万元"
    assert publicity.amount_band(Decimal("10000")) == "1 亿元以上"
