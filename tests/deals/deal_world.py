"""A small world for the contract (技术合同) page, API and service tests: a university (seller) and an enterprise
(buyer) with 统一社会信用代码, a third organisation, a broker of a technology transfer agency, a second broker and an
admin; each user with an e-mail (page tests log in through the real form) and a write token (API tests); one
recorded contract between the university and the enterprise."""
from __future__ import annotations

import itertools

import pytest

from marketplace.deals import services
from marketplace.deals.identifiers import credit_code_check_character
from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import UserWorld, user_world

_serial = itertools.count(1)


def credit_code(region: str = "220100") -> str:
    """A valid 统一社会信用代码 (correct check character), different each call."""
    first17 = f"91{region}MA{next(_serial) % 10_000_000:07d}"
    return first17 + credit_code_check_character(first17)


def contract(seller_org, buyer_org, **changes) -> dict:
    """A valid 技术许可 contract between two organisations (parties pre-filled from them)."""
    data = {
        "name": "高镍正极材料包覆专利实施许可合同", "contract_type": "licence", "contract_subtype": "patent_ordinary",
        "total_amount": "120.5", "technical_amount": "100.25", "payment_method": "instalments",
        "signed_on": "2025-03-02", "valid_from": "2025-03-02", "valid_to": "2028-03-01",
        "technical_field": "new_energy", "ip_type": "patent",
        "parties": [services.party_from_org(seller_org, "seller"), services.party_from_org(buyer_org, "buyer")],
    }
    data.update(changes)
    return data


def build_world() -> UserWorld:
    university = f.organization("university", name="吉林合同大学", region="220000")
    enterprise = f.organization("enterprise", name="长春合同材料有限公司", region="220000")
    third = f.organization("enterprise", name="无关第三方企业", region="220000")
    agency = f.organization("broker_agency", name="吉林技术转移中心", region="220000")
    for org in (university, enterprise, third, agency):
        org.credit_code = credit_code()
    users = {
        "seller": f.user(university, email="seller@deals.test"),
        "buyer": f.user(enterprise, email="buyer@deals.test"),
        "third": f.user(third, email="third@deals.test"),
        "broker": f.user(agency, platform_role="broker", email="broker@deals.test"),
        "broker2": f.user(f.organization("broker_agency", name="另一家转移机构"), platform_role="broker",
                          email="broker2@deals.test"),
        "admin": f.user(f.organization("government", name="科技厅"), platform_role="admin", email="admin@deals.test"),
        "loner": f.user(None, email="loner@deals.test"),
    }
    db.session.flush()
    deal = services.create_deal(users["broker"], contract(university, enterprise))
    return user_world(users, university=university.id, enterprise=enterprise.id, third_org=third.id, agency=agency.id,
                      deal=deal.id)


@pytest.fixture
def world(app):
    with app.test_request_context():
        return build_world()
