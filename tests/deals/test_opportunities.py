"""The broker pipeline's services: opening opportunities from every source, each stage move and each refusal,
attribution, editing and the board."""
from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.deals import pipeline
from marketplace.deals.opportunities import create_opportunity, from_inquiry, open_opportunity
from marketplace.deals.services import record_deal
from marketplace.errors import Conflict, NotFound, PermissionDenied, StateConflict, ValidationFailed
from marketplace.extensions import db
from marketplace.inquiries.models import Inquiry
from marketplace.matching import services as matching
from marketplace.deals.models import Opportunity
from marketplace.workflow import SYSTEM
from marketplace.workflow.deals import DEAL
from tests import factories as f
from tests.deals.test_contract_input import contract


def events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars())


def lead(broker=None, **kw) -> Opportunity:
    return open_opportunity(broker or f.broker(), source="manual", title="正极材料包覆技术许可", **kw)


def a_deal(broker):
    return record_deal(broker, contract())


# -- opening -----------------------------------------------------------------------------------------------------------

def test_open_attributes_to_the_acting_broker_and_their_agency(ctx):
    broker = f.broker()
    opportunity = lead(broker, expected_amount="120.5")
    assert opportunity.stage == "lead" and opportunity.broker is broker
    assert opportunity.agency is broker.organization  # a 技术转移机构
    assert opportunity.expected_amount == Decimal("120.5000")
    assert [e.target_id for e in events("opportunity.create")] == [opportunity.id]


def test_attribution_falls_back_to_the_inquiry_broker_and_agency_only_for_agencies(ctx):
    broker = f.broker()
    asker = f.user(f.organization("enterprise"))
    inquiry = an_inquiry(asker, f.user(f.organization("university")), broker=broker)
    opportunity = open_opportunity(asker, source="licence", title="开放许可", inquiry=inquiry)
    assert opportunity.broker is broker
    admin = f.admin()  # an admin's organisation is a government office: no agency
    assert open_opportunity(SYSTEM, source="manual", title="t", broker=admin).agency is None
    assert open_opportunity(SYSTEM, source="manual", title="t").broker is None


def test_open_checks_source_title_and_amount(ctx):
    broker = f.broker()
    with pytest.raises(ValidationFailed) as error:
        open_opportunity(broker, source="rumour", title="t")
    assert "source" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        open_opportunity(broker, source="manual", title="  ")
    assert "title" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        open_opportunity(broker, source="manual", title="t", expected_amount="-1")
    assert "expected_amount" in error.value.errors


def test_open_with_a_deal_goes_to_signed_as_the_platform(ctx):
    broker = f.broker()
    opportunity = lead(broker, deal=a_deal(broker))
    assert opportunity.stage == "signed" and opportunity.signed_at is not None
    assert [e.actor_id for e in events("opportunity.sign")] == [None]


def test_staff_create_by_hand_others_cannot(ctx):
    broker, seller = f.broker(), f.organization("university")
    opportunity = create_opportunity(broker, {"title": "手工线索", "expected_amount": "30", "seller_org_id": seller.id})
    assert opportunity.source == "manual" and opportunity.seller_org is seller and opportunity.broker is broker
    with pytest.raises(PermissionDenied):
        create_opportunity(f.user(f.organization()), {"title": "x"})
    with pytest.raises(ValidationFailed) as error:
        create_opportunity(broker, {"title": "x", "buyer_org_id": 999999})
    assert "buyer_org_id" in error.value.errors
    with pytest.raises(PermissionDenied):  # a broker attributes only to themselves
        create_opportunity(broker, {"title": "x", "broker_id": f.broker().id})
    other = f.broker()
    assert create_opportunity(f.admin(), {"title": "x", "broker_id": other.id}).broker is other


# -- the automatic sources ---------------------------------------------------------------------------------------------

def an_inquiry(asker, holder, *, kind="achievement", subject_id=1, broker=None, budget=None) -> Inquiry:
    inquiry = Inquiry(subject_kind=kind, subject_id=subject_id, subject_title="高镍正极包覆技术",
                      asker_org_id=asker.org_id, asker_id=asker.id, holder_org_id=holder.org_id,
                      broker_id=getattr(broker, "id", None), cooperation_mode="licence", budget=budget)
    db.session.add(inquiry)
    db.session.flush()
    return inquiry


def test_from_an_inquiry_about_an_achievement_the_holder_sells(ctx):
    broker = f.broker()
    holder = f.user(f.organization("university"))
    asker = f.user(f.organization("enterprise"))
    achievement = f.achievement(holder, publish_by=broker)
    inquiry = an_inquiry(asker, holder, subject_id=achievement.id, budget=Decimal("80"), broker=broker)
    with pytest.raises(NotFound):  # the thread is private to its own broker (and admins)
        from_inquiry(f.broker(), inquiry)
    opportunity = from_inquiry(broker, inquiry)
    assert (opportunity.source, opportunity.inquiry, opportunity.achievement) == ("inquiry", inquiry, achievement)
    assert opportunity.seller_org_id == holder.org_id and opportunity.buyer_org_id == asker.org_id
    assert opportunity.expected_amount == Decimal("80") and opportunity.broker is broker
    assert from_inquiry(broker, inquiry) is opportunity  # once per inquiry


def test_from_an_inquiry_about_a_demand_the_asker_sells(ctx):
    broker = f.broker()
    issuer = f.user(f.organization("enterprise"))
    solver = f.user(f.organization("university"))
    demand = f.demand(issuer, publish_by=broker)
    opportunity = from_inquiry(f.admin(), an_inquiry(solver, issuer, kind="demand", subject_id=demand.id))
    assert opportunity.demand is demand and opportunity.expected_amount is None
    assert opportunity.seller_org_id == solver.org_id and opportunity.buyer_org_id == issuer.org_id
    with pytest.raises(PermissionDenied):
        from_inquiry(issuer, an_inquiry(solver, issuer, kind="demand", subject_id=demand.id))


def test_an_awarded_application_opens_a_challenge_opportunity_once(ctx):
    from tests.challenges.delivery_helpers import awarded

    setup = awarded()
    application, challenge = setup.applications[0], setup.challenge
    found = db.session.execute(db.select(Opportunity).where(Opportunity.source == "challenge")).scalars().all()
    assert len(found) == 1
    opportunity = found[0]
    assert opportunity.challenge is challenge
    assert opportunity.seller_org_id == application.org_id and opportunity.buyer_org_id == challenge.org_id
    assert opportunity.expected_amount == challenge.reward_amount
    assert opportunity.broker is None  # the issuer awarded: an unattributed lead for any broker to take
    from marketplace.deals.opportunities import from_awarded_application
    assert from_awarded_application(SYSTEM, application) is opportunity


def test_a_recommendation_opens_a_lead_when_asked(ctx):
    broker = f.broker()
    seeker = f.user(f.organization("enterprise"))
    holder = f.user(f.organization("university"))
    demand = f.demand(seeker, publish_by=broker)
    achievement = f.achievement(holder, publish_by=broker)
    matching.recommend(broker, demand, "achievement", achievement.id, "可以谈谈")
    assert db.session.execute(db.select(Opportunity)).first() is None
    matching.recommend(broker, demand, "achievement", achievement.id, open_lead=True)
    matching.recommend(broker, demand, "achievement", achievement.id, open_lead=True)
    found = db.session.execute(db.select(Opportunity)).scalars().all()
    assert len(found) == 1
    assert (found[0].source, found[0].demand, found[0].achievement, found[0].broker) == \
        ("match", demand, achievement, broker)
    assert found[0].seller_org_id == holder.org_id and found[0].buyer_org_id == seeker.org_id


# -- moving through the stages -----------------------------------------------------------------------------------------

def test_the_whole_way_to_won(ctx):
    broker = f.broker()
    opportunity = lead(broker)
    pipeline.move(broker, opportunity, "negotiate")
    assert opportunity.stage == "negotiation" and opportunity.negotiation_at
    deal = a_deal(broker)
    pipeline.link_deal(broker, opportunity, deal)
    assert opportunity.stage == "signed" and opportunity.deal is deal
    DEAL.apply(broker, deal, "register")
    pipeline.move(broker, opportunity, "register")
    pipeline.move(broker, opportunity, "perform")
    pipeline.move(broker, opportunity, "win")
    assert opportunity.stage == "won" and opportunity.closed_at
    assert {e.action for e in events("opportunity.win")} == {"opportunity.win"}
    assert pipeline.actions(broker, opportunity) == []


def test_sign_needs_a_deal(ctx):
    broker = f.broker()
    opportunity = lead(broker)
    with pytest.raises(StateConflict) as error:
        pipeline.move(broker, opportunity, "sign")
    assert "签约前须先登记合同" in error.value.message
    opportunity.deal = a_deal(broker)
    pipeline.move(broker, opportunity, "sign")
    assert opportunity.stage == "signed"


def test_register_needs_the_deal_registered(ctx):
    broker = f.broker()
    opportunity = lead(broker, deal=a_deal(broker))
    with pytest.raises(StateConflict) as error:
        pipeline.move(broker, opportunity, "register")
    assert "待登记" in error.value.message
    pipeline.move(broker, opportunity, "perform")  # 履约 may start before registration
    assert opportunity.stage == "in_performance"
    with pytest.raises(StateConflict):  # not from in_performance: the generic message names what can be done
        pipeline.move(broker, opportunity, "register")


def test_lose_needs_a_reason(ctx):
    broker = f.broker()
    opportunity = lead(broker)
    with pytest.raises(ValidationFailed) as error:
        pipeline.move(broker, opportunity, "lose", reason="  ")
    assert "reason" in error.value.errors and opportunity.stage == "lead"
    pipeline.move(broker, opportunity, "lose", reason="买方预算取消")
    assert opportunity.stage == "lost" and opportunity.lost_reason == "买方预算取消"
    with pytest.raises(StateConflict):
        pipeline.move(broker, opportunity, "negotiate")


def test_another_broker_cannot_move_mine_admins_can_outsiders_get_404(ctx):
    mine = lead(f.broker())
    with pytest.raises(PermissionDenied):
        pipeline.move(f.broker(), mine, "negotiate")
    with pytest.raises(NotFound):
        pipeline.move(f.user(f.organization()), mine, "negotiate")
    with pytest.raises(NotFound):
        pipeline.get_opportunity(f.user(f.organization()), mine.id)
    pipeline.move(f.admin(), mine, "negotiate")
    assert mine.stage == "negotiation"


def test_an_unattributed_lead_can_be_taken(ctx):
    opportunity = open_opportunity(SYSTEM, source="challenge", title="揭榜成功")
    first, second = f.broker(), f.broker()
    assert "take" in pipeline.actions(first, opportunity)
    pipeline.take(first, opportunity)
    assert opportunity.broker is first and opportunity.agency is first.organization
    assert "take" not in pipeline.actions(second, opportunity)
    with pytest.raises(PermissionDenied):
        pipeline.take(second, opportunity)
    other = open_opportunity(SYSTEM, source="manual", title="t")
    pipeline.move(second, other, "negotiate")  # working an unattributed lead takes it
    assert other.broker is second


def test_edit_and_re_attribution(ctx):
    broker = f.broker()
    opportunity = lead(broker)
    pipeline.edit(broker, opportunity, {"title": "新名称", "expected_amount": "55.5", "notes": "下周面谈"})
    assert (opportunity.title, opportunity.expected_amount, opportunity.notes) == ("新名称", Decimal("55.5"), "下周面谈")
    assert events("opportunity.edit")
    with pytest.raises(ValidationFailed) as error:
        pipeline.edit(broker, opportunity, {"expected_amount": "abc"})
    assert "expected_amount" in error.value.errors
    other = f.broker()
    with pytest.raises(PermissionDenied):
        pipeline.edit(broker, opportunity, {"broker_id": other.id})
    pipeline.edit(f.admin(), opportunity, {"broker_id": other.id})
    assert opportunity.broker is other
    with pytest.raises(PermissionDenied):
        pipeline.edit(broker, opportunity, {"title": "不再归属我"})


def test_optimistic_locking(ctx):
    broker = f.broker()
    opportunity = lead(broker)
    db.session.commit()
    version = opportunity.version
    pipeline.edit(broker, opportunity, {"title": "第一次修改"}, expected_version=version)
    db.session.commit()
    with pytest.raises(Conflict):
        pipeline.edit(broker, opportunity, {"title": "基于旧版本的修改"}, expected_version=version)
    with pytest.raises(Conflict):
        pipeline.move(broker, opportunity, "negotiate", expected_version=version)


# -- the board -------------------------------------------------------------------------------------------------------

def test_board_columns_counts_and_amounts(ctx):
    me, other = f.broker(), f.broker()
    lead(me, expected_amount="10")
    lead(me, expected_amount="2.5")
    negotiating = lead(me, expected_amount="100")
    pipeline.move(me, negotiating, "negotiate")
    lost = lead(me)
    pipeline.move(me, lost, "lose", reason="无意向")
    lead(other, expected_amount="999")
    open_opportunity(SYSTEM, source="challenge", title="未归属")
    columns = {c.stage: c for c in pipeline.board(me)}
    assert list(columns) == ["lead", "negotiation", "signed", "registered", "in_performance", "won", "lost"]
    assert (columns["lead"].count, columns["lead"].amount) == (2, Decimal("12.5"))
    assert (columns["negotiation"].count, columns["lost"].count, columns["signed"].count) == (1, 1, 0)
    everyone = {c.stage: c for c in pipeline.board(me, scope="all")}
    assert everyone["lead"].count == 4 and everyone["lead"].amount == Decimal("1011.5")
    assert {c.stage: c.count for c in pipeline.board(me, scope="unassigned")}["lead"] == 1
    assert {c.stage: c.count for c in pipeline.board(me, broker_id=other.id)}["lead"] == 1
    by_agency = {c.stage: c.count for c in pipeline.board(me, scope="all", agency_id=other.organization.id)}
    assert by_agency["lead"] == 1
    assert {c.stage: c.count for c in pipeline.board(me, scope="all", source="challenge")}["lead"] == 1
    with pytest.raises(NotFound):
        pipeline.board(f.user(f.organization()))
