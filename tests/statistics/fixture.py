"""A small set of contracts whose figures are computed by hand in the tests (amounts in 万元)."""
from __future__ import annotations

from datetime import date

from marketplace.deals.identifiers import credit_code_check_character
from marketplace.deals.services import record_deal
from marketplace.extensions import db
from marketplace.workflow import SYSTEM
from marketplace.workflow.deals import DEAL


def code(seed: int, region: str = "220100") -> str:
    first = f"12{region}{seed:09d}"[:17]
    return first + credit_code_check_character(first)


def party(role: str, name: str, nature: str, region: str, seed: int, org=None) -> dict:
    return {"role": role, "org_id": org.id if org else None, "name": name, "credit_code": code(seed, region),
            "nature": nature, "region": region}


def deal(name, kind, sub, total, technical, signed, seller, buyer, *, field="electronics", equity=False,
         payment="lump_sum", status="registered", number=None, **links):
    data = {"name": name, "contract_type": kind, "contract_subtype": sub, "total_amount": total,
            "technical_amount": technical, "payment_method": payment, "signed_on": signed,
            "technical_field": field, "equity_investment": equity, "parties": [seller, buyer]}
    record = record_deal(SYSTEM, data, **links)
    if status == "registered":
        DEAL.apply(SYSTEM, record, "register")
        record.registration_number, record.registered_on = number, date.fromisoformat(signed)
    elif status == "refused":
        DEAL.apply(SYSTEM, record, "refuse", reason="合同标的不明确")
    db.session.flush()
    return record


# sellers: 吉林大学 (022, 长春 220100), 某研究所 (021, 长春), 某企业 (150, 吉林 220200); buyers across provinces
UNIVERSITY = ("某大学", "022", "220100", 1)
INSTITUTE = ("某研究所", "021", "220100", 2)
COMPANY = ("某科技公司", "150", "220200", 3)
BUYER_HOME = ("长春某制造公司", "150", "220100", 4)
BUYER_AWAY = ("深圳某电子公司", "170", "440300", 5)


def load() -> dict:
    """Seven contracts in 2025 and 2026 (one refused: it never counts)."""
    def p(role, spec):
        name, nature, region, seed = spec
        return party(role, name, nature, region, seed)

    deals = {
        # 2025
        "a": deal("许可A", "licence", "patent_ordinary", "50", "50", "2025-03-01", p("seller", UNIVERSITY),
                  p("buyer", BUYER_HOME), number="2025220100000001"),
        "b": deal("转让B", "transfer", "patent", "200", "180", "2025-06-15", p("seller", UNIVERSITY),
                  p("buyer", BUYER_AWAY), field="new_materials", number="2025220100000002"),
        "c": deal("作价投资C", "transfer", "know_how", "12000", "12000", "2025-09-30", p("seller", INSTITUTE),
                  p("buyer", BUYER_AWAY), field="new_materials", equity=True, payment="equity",
                  number="2025220100000003"),
        "d": deal("开发D", "development", "commissioned", "80.5", "60.25", "2025-11-11", p("seller", COMPANY),
                  p("buyer", BUYER_HOME), status="pending"),
        "x": deal("被拒X", "consulting", "general", "999", "999", "2025-05-05", p("seller", UNIVERSITY),
                  p("buyer", BUYER_HOME), status="refused"),
        # 2026
        "e": deal("服务E", "service", "general", "30", "25", "2026-02-01", p("seller", INSTITUTE),
                  p("buyer", BUYER_HOME), field="agriculture", number="2026220100000001"),
        "f": deal("咨询F", "consulting", "general", "10.0001", "10", "2026-04-01", p("seller", UNIVERSITY),
                  p("buyer", BUYER_AWAY), number="2026220100000002"),
    }
    return deals
