"""Building 揭榜挂帅 records for tests through the public services."""
from __future__ import annotations

from datetime import date, timedelta

from marketplace.challenges import services
from marketplace.review import services as review


def challenge_data(**overrides) -> dict:
    data = {
        "title": "高比能固态电池电解质攻关",
        "background": "企业现有液态电池能量密度已接近上限。",
        "problem": "需要室温离子电导率高、与锂金属负极界面稳定的固态电解质。",
        "indicators": [{"metric": "室温离子电导率", "target": "≥1×10⁻³", "unit": "S/cm", "verification": "第三方检测"},
                       {"metric": "循环寿命", "target": "≥1000", "unit": "次", "verification": "电池循环测试"}],
        "technical_field": "new_energy", "industry": "energy", "reward_amount": "500", "cofunding_share": "30",
        "funding_mode": "milestone", "application_deadline": (date.today() + timedelta(days=30)).isoformat(),
        "completion_deadline": (date.today() + timedelta(days=400)).isoformat(), "consortium": "allowed",
        "contact": "张工 0431-88888888",
    }
    data.update(overrides)
    return data


def published_challenge(issuer, broker, **overrides):
    """A published, open challenge of ``issuer``'s organisation."""
    challenge = services.create_challenge(issuer, challenge_data(**overrides))
    review.submit(issuer, challenge)
    review.publish(broker, challenge)
    return challenge
