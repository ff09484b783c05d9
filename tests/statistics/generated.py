"""Random technology contracts for reconciliation: :func:`generate` records ``count`` deals through
:func:`~marketplace.deals.services.record_deal` from a seeded random — 2023 to 2026, every contract type and
sub-type, sellers and buyers of every kind in several provinces (three of them platform organisations), registered,
pending and refused, with payments and rewards — so tests can recompute every figure in Python from the ORM."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from marketplace.deals.models import Deal, DealPayment, DealReward
from marketplace.deals.services import record_deal
from marketplace.deals.vocabularies import CONTRACT_FIELDS, CONTRACT_IP_TYPES, CONTRACT_SUBTYPES, PLAN_SOURCES
from marketplace.extensions import db
from marketplace.statistics import facts
from marketplace.workflow import SYSTEM
from marketplace.workflow.deals import DEAL
from tests import factories as f

from .fixture import code

YEARS = (2023, 2024, 2025, 2026)
LAST_DAY = date(2026, 11, 30)  # nothing in the future (payments may not be)
# (name, 主体性质, region): sellers and buyers off the platform
OUTSIDERS = [
    ("东北某大学", "022", "220100"), ("某农业科学院", "021", "220200"), ("长春某光电公司", "150", "220100"),
    ("吉林某化工股份公司", "160", "220200"), ("北京某研究院", "021", "110108"), ("北京某软件公司", "170", "110105"),
    ("上海某大学", "022", "310115"), ("深圳某电子公司", "170", "440300"), ("某外资企业", "300", "320500"),
    ("某县医院", "023", "220582"), ("张某", "400", "220104"), ("某行业协会", "030", "210102"),
]


@dataclass
class Generated:
    deals: list[Deal] = field(default_factory=list)
    orgs: dict = field(default_factory=dict)  # "university" / "institute" / "enterprise" → Organization


def _amount(rng: random.Random) -> Decimal:
    band = rng.random()
    if band < 0.05:
        value = rng.uniform(10000, 30000)  # ≥ 1亿
    elif band < 0.35:
        value = rng.uniform(100, 2000)  # ≥ 100万
    else:
        value = rng.uniform(0.5, 99.9999)
    return Decimal(str(round(value, 4)))


def _day(rng: random.Random, year: int) -> date:
    start = date(year, 1, 1)
    last = min(date(year, 12, 31), LAST_DAY)
    return start + timedelta(days=rng.randint(0, (last - start).days))


def _party(role: str, spec, seed: int, org=None) -> dict:
    name, nature, region = spec
    party = {"role": role, "org_id": org.id if org is not None else None, "name": name, "nature": nature,
             "region": region}
    if nature != "400":
        party["credit_code"] = code(seed, region)
    return party


def generate(count: int = 300, seed: int = 20261206) -> Generated:
    """``count`` random contracts (and three platform organisations that sell and buy some of them)."""
    rng = random.Random(seed)
    world = Generated()
    world.orgs = {"university": f.organization("university", region="220000", name="生成数据大学"),
                  "institute": f.organization("institute", region="220000", name="生成数据研究所"),
                  "enterprise": f.organization("enterprise", region="440000", name="生成数据企业")}
    members = [(world.orgs["university"], ("生成数据大学", "022", "220102")),
               (world.orgs["institute"], ("生成数据研究所", "021", "220104")),
               (world.orgs["enterprise"], ("生成数据企业", "150", "440305"))]
    parties = [(None, spec) for spec in OUTSIDERS] + members * 3  # the platform's organisations more often
    for index in range(count):
        kind = rng.choice(list(CONTRACT_SUBTYPES))
        sub = rng.choice(list(CONTRACT_SUBTYPES[kind]))
        seller_org, seller = rng.choice(parties)
        buyer_org, buyer = rng.choice([p for p in parties if p[1] != seller])
        year = rng.choice(YEARS)
        signed = _day(rng, year)
        total = _amount(rng)
        equity = kind == "transfer" and rng.random() < 0.3
        data = {
            "name": f"生成合同{index:04d}", "contract_type": kind, "contract_subtype": sub,
            "total_amount": str(total), "technical_amount": str((total * Decimal(rng.choice(["1", "0.8", "0.55"])))
                                                                .quantize(Decimal("0.0001"))),
            "payment_method": "equity" if equity and rng.random() < 0.5 else rng.choice(["lump_sum", "instalments",
                                                                                          "royalty"]),
            "equity_investment": equity, "signed_on": signed.isoformat(),
            "technical_field": rng.choice(list(CONTRACT_FIELDS)), "plan_source": rng.choice(list(PLAN_SOURCES)),
            "ip_type": rng.choice(list(CONTRACT_IP_TYPES)),
            "parties": [_party("seller", seller, 1000 + parties.index((seller_org, seller)), seller_org),
                        _party("buyer", buyer, 1000 + parties.index((buyer_org, buyer)), buyer_org)],
        }
        deal = record_deal(SYSTEM, data)
        status = rng.random()
        if status < 0.6:
            DEAL.apply(SYSTEM, deal, "register")
            deal.registration_number, deal.registered_on = f"{year}220100{index:06d}", signed
        elif status < 0.7:
            DEAL.apply(SYSTEM, deal, "refuse", reason="合同标的不明确")
        paid_until = min(signed + timedelta(days=500), LAST_DAY)
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            received = signed + timedelta(days=rng.randint(0, (paid_until - signed).days))
            deal.payments.append(DealPayment(received_on=received, amount=(total / 3).quantize(Decimal("0.0001"))))
        if seller[1] in ("021", "022") and rng.random() < 0.4:
            awarded = None if rng.random() < 0.3 else min(signed + timedelta(days=rng.randint(0, 300)), LAST_DAY)
            deal.rewards.append(DealReward(form=rng.choice(["cash", "equity"]), persons=rng.randint(1, 12),
                                           amount=(total * Decimal("0.5")).quantize(Decimal("0.0001")),
                                           awarded_on=awarded))
        world.deals.append(deal)
    db.session.flush()
    return world


# -- volume: contracts inserted in bulk (benchmarks and the streaming check) -------------------------------------------

def bulk_contracts(count: int, *, seed: int = 7, sellers: list[tuple] | None = None, batch: int = 5000) -> int:
    """``count`` contracts inserted through SQLAlchemy Core, without validation (for volume only): signed 2023 to
    2026, two parties each (a seller from ``sellers`` — (org_id, name, 主体性质, region) — or the outsiders), a payment
    for about half and a reward for a fifth, registration numbers for the registered. Returns the contracts added."""
    from sqlalchemy import func, insert

    from marketplace.deals.models import DealParty, RegistrationStatus

    rng = random.Random(seed)
    sellers = sellers or [(None, *spec) for spec in OUTSIDERS]
    buyers = [(None, *spec) for spec in OUTSIDERS]
    kinds = [(kind, sub) for kind, subs in CONTRACT_SUBTYPES.items() for sub in subs]
    fields, plans, ips = list(CONTRACT_FIELDS), list(PLAN_SOURCES), list(CONTRACT_IP_TYPES)
    statuses = [RegistrationStatus.REGISTERED] * 6 + [RegistrationStatus.PENDING] * 3 + [RegistrationStatus.REFUSED]
    offset = db.session.execute(db.select(func.count(Deal.id))).scalar() or 0
    deal_table = Deal.__table__
    done = 0
    while done < count:
        size = min(batch, count - done)
        deals, parties_of, money = [], [], []
        for number in range(offset + done, offset + done + size):
            kind, sub = rng.choice(kinds)
            signed = _day(rng, rng.choice(YEARS))
            total = _amount(rng)
            status = rng.choice(statuses)
            now = datetime(signed.year, signed.month, signed.day, 9)
            deals.append({
                "name": f"批量合同{number:07d}", "contract_type": kind, "contract_subtype": sub,
                "equity_investment": kind == "transfer" and rng.random() < 0.2, "total_amount": total,
                "technical_amount": (total * Decimal("0.8")).quantize(Decimal("0.0001")),
                "payment_method": "lump_sum", "related_party": False, "signed_on": signed,
                "plan_source": rng.choice(plans), "ip_type": rng.choice(ips), "technical_field": rng.choice(fields),
                "registration_status": status, "seller_consents_to_publish": False,
                "buyer_consents_to_publish": False, "created_at": now, "updated_at": now, "version": 1,
                "registration_number": f"{signed.year}{number:012d}" if status == RegistrationStatus.REGISTERED
                else None})
            seller, buyer = rng.choice(sellers), rng.choice(buyers)
            parties_of.append([(role, org_id, name, nature, region)
                               for role, (org_id, name, nature, region) in (("seller", seller), ("buyer", buyer))])
            money.append((signed, total, seller[2] in ("021", "022") and rng.random() < 0.2, rng.random() < 0.5))
        ids = db.session.execute(insert(deal_table).returning(deal_table.c.id, sort_by_parameter_order=True),
                                 deals).scalars().all()
        db.session.execute(insert(DealParty.__table__), [
            {"deal_id": deal_id, "role": role, "org_id": org_id, "name": name, "nature": nature, "country": "156",
             "region": region, "flags": []}
            for deal_id, parties in zip(ids, parties_of) for role, org_id, name, nature, region in parties])
        payments = [{"deal_id": deal_id, "received_on": min(signed + timedelta(days=rng.randint(0, 200)), LAST_DAY),
                     "amount": (total / 2).quantize(Decimal("0.0001"))}
                    for deal_id, (signed, total, _rewarded, paid) in zip(ids, money) if paid]
        if payments:
            db.session.execute(insert(DealPayment.__table__), payments)
        rewards = [{"deal_id": deal_id, "form": "cash", "amount": (total / 10).quantize(Decimal("0.0001")),
                    "persons": 3, "awarded_on": None}
                   for deal_id, (signed, total, rewarded, _paid) in zip(ids, money) if rewarded]
        if rewards:
            db.session.execute(insert(DealReward.__table__), rewards)
        facts.refresh(db.session.connection(), ids)  # Core inserts: the summary rows by hand
        done += size
    return done

