"""Plain factory functions that go through the real services."""
from __future__ import annotations

import itertools

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Organization, User
from marketplace.achievements import services as achievements
from marketplace.demands import services as demands
from marketplace.extensions import db
from marketplace.patents import services as patents
from marketplace.review import services as review

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


def organization(org_type: str = "university", region: str = "220000", name: str | None = None) -> Organization:
    return accounts.create_organization(name or f"测试机构{next(_seq)}", org_type, region)


def user(org: Organization | None = None, *, role: str = "member", platform_role: str | None = None,
         email: str | None = None, email_verified: bool = True) -> User:
    return accounts.register_user(email or f"user{next(_seq)}@example.cn", "测试用户", PASSWORD,
                                  organization=org, org_role=role, platform_role=platform_role,
                                  email_verified=email_verified)


def broker() -> User:
    return user(organization("broker_agency"), platform_role="broker")


def admin() -> User:
    return user(organization("government"), platform_role="admin")


def achievement_data(**overrides) -> dict:
    data = {
        "title": "高镍三元正极材料表面包覆改性技术",
        "summary": "通过原子层沉积在高镍正极表面构建氧化铝包覆层，抑制界面副反应，提升循环寿命。",
        "keywords": ["高镍正极", "包覆改性", "锂离子电池"],
        "technical_field": "new_materials",
        "industries": ["energy", "automotive"],
        "trl": 6,
        "ip_type": "invention_patent",
        "transfer_modes": ["licence", "joint_development"],
        "price_amount": "120",
    }
    data.update(overrides)
    return data


def achievement(owner: User, *, publish_by: User | None = None, **overrides):
    record = achievements.create_achievement(owner, achievement_data(**overrides))
    if publish_by is not None:
        review.submit(owner, record)
        review.publish(publish_by, record)
    db.session.flush()
    return record


def demand_data(**overrides) -> dict:
    data = {
        "title": "动力电池负极材料首效提升",
        "problem": "我公司硅碳负极首次充放电效率偏低，循环中体积膨胀导致极片粉化，希望合作开发可量产的改性工艺。",
        "indicators": "克容量≥450mAh/g，首效≥88%",
        "industry": "energy",
        "technical_field": "new_materials",
        "budget_min": "50",
        "budget_max": "200",
        "cooperation_modes": ["joint_development"],
    }
    data.update(overrides)
    return data


def demand(owner: User, *, publish_by: User | None = None, **overrides):
    record = demands.create_demand(owner, demand_data(**overrides))
    if publish_by is not None:
        review.submit(owner, record)
        review.publish(publish_by, record)
    db.session.flush()
    return record


def patent(owner: User, number: str | None = None, **overrides):
    data = {"number": number or f"ZL2021{next(_seq):08d}.1", "title": "一种高镍正极材料的包覆方法",
            "applicant": owner.organization.name, "legal_status": "granted"}
    data.update(overrides)
    return patents.create_patent(owner, data)
