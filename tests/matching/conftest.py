"""A small indexed market: organisation A (university) offers achievements and an open-licence patent,
organisation B (enterprise) posts demands; records are indexed through the real outbox drain into a fresh
embedded engine (``search_engine``)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from marketplace.accounts.models import User
from marketplace.alerts import delivery
from marketplace.extensions import db
from marketplace.indexing import indexer
from marketplace.indexing.runtime import get_engine
from marketplace.patents import services as patents
from tests import factories as f
from tests.api.conftest import _cheap_password_hashing, world  # noqa: F401
from tests.search_fixtures import search_engine  # noqa: F401

ANODE = dict(
    title="硅碳负极材料的碳包覆改性与规模化制备技术",
    summary="针对硅基负极在充放电过程中体积膨胀大、首次库仑效率低的问题，采用纳米硅与石墨复合并进行碳包覆改性，"
            "克容量超过450mAh/g，首次效率达到89%，已完成公斤级中试，可放大量产。",
    keywords=["硅碳负极", "碳包覆", "锂离子电池"], technical_field="new_materials", industries=["energy"],
    trl=6, price_amount="150")
OTHERS = [
    dict(title="玉米秸秆生物炭还田改良盐碱土壤技术", summary="以玉米秸秆为原料制备生物炭，施入盐碱化土壤，降低土壤pH与电导率，提高玉米产量。",
         keywords=["生物炭", "盐碱地改良"], technical_field="agriculture", industries=["agriculture"], trl=7,
         price_amount="30"),
    dict(title="基于深度学习的道路交通信号自适应控制算法", summary="利用路口检测器实时车流数据，通过强化学习自动调整信号配时，降低干道平均延误。",
         keywords=["交通信号控制", "强化学习"], technical_field="ai", industries=["transport"], trl=5,
         price_amount=None),
    dict(title="印染废水臭氧催化氧化脱色工艺", summary="采用负载型催化剂的臭氧催化氧化处理印染废水，脱色率达95%以上，COD显著降低。",
         keywords=["印染废水", "脱色"], technical_field="environment", industries=["textile"], trl=8,
         price_amount="80"),
]


@dataclass
class Market:
    ids: dict[str, int] = field(default_factory=dict)


def index_all() -> indexer.DrainReport:
    """Push every pending outbox row into the app's engine (what the indexer worker does)."""
    report = indexer.drain(get_engine())
    assert not report.unavailable and not report.failed, report
    return report


@pytest.fixture
def market(app, world, search_engine):  # noqa: F811
    """``world`` plus: A's published anode achievement, three unrelated published ones, an anode *draft*, a
    published open-licence patent; B's published anode demand (trl_min 5, budget 50–200, region Jilin); and
    organisation C's submitted (unpublished) anode achievement."""
    m = Market()
    with app.test_request_context():
        owner, other, broker = (db.session.get(User, world.ids[n]) for n in ("owner", "other", "broker"))
        m.ids["anode"] = f.achievement(owner, publish_by=broker, **ANODE).id
        for i, data in enumerate(OTHERS):
            m.ids[f"other{i}"] = f.achievement(owner, publish_by=broker, **data).id
        m.ids["draft"] = f.achievement(owner, **{**ANODE, "title": "硅碳负极草稿：预锂化提升首次效率"}).id
        third = f.user(f.organization("institute", name="第三研究所（测试）"))
        hidden = f.achievement(third, **{**ANODE, "title": "硅碳负极未发布成果：多孔硅碳复合"})
        from marketplace.review import services as review
        review.submit(third, hidden)
        m.ids["unpublished"] = hidden.id
        patent = f.patent(owner, title="一种硅碳复合负极材料及其碳包覆制备方法",
                          abstract="纳米硅与石墨复合，经沥青碳包覆得到硅碳负极，首次效率高、循环稳定。")
        patents.declare_open_licence(owner, patent, {"fee_terms": "入门费5万元", "annual_fee": "5", "term_years": 3,
                                                     "scope": "全国，非独占"})
        review.submit(owner, patent)
        review.publish(broker, patent)
        m.ids["patent"] = patent.id
        m.ids["demand"] = f.demand(other, publish_by=broker, trl_min=5, region="220000").id
        m.ids["unrelated_demand"] = f.demand(
            other, publish_by=broker, title="养殖池塘水质调控微生物制剂", problem="对虾养殖塘氨氮和亚硝酸盐超标，需要有益菌调水技术。",
            indicators="亚硝酸盐低于0.2mg/L", industry="agriculture", technical_field="agriculture").id
        db.session.commit()
        index_all()
        # the reviews above told A's and B's members (in-app and by e-mail): that mail went out before the test
        # (the sender logs it: no MAIL_SERVER here), so a test's mail queue holds only what the test makes
        delivery.deliver()
    return m
