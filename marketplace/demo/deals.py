"""Demo deals: inquiries in every state (:mod:`.inquiries`), a few hundred technology contracts signed over the last
four years, the broker pipeline at every stage and a few licences taken under open licences — so the deal pages,
the registration export and the statistics show real shapes on ``make run``.

Contracts are recorded through :func:`marketplace.deals.services.record_deal` as the platform (each one validated by
``ContractInput``), registered or refused through the DEAL lifecycle, with payments received (instalments across
years), rewards to individuals and the parties' consent to the public 成交公示 through the deal services.
Opportunities open with :func:`marketplace.deals.opportunities.open_opportunity` and move through the OPPORTUNITY
lifecycle as their broker. Licences are taken with :func:`marketplace.deals.licensing.take_licence` by a member of
the licensee. The services act *now*; dates are then moved into the past, as the rest of the demo does.

The spreads (types, fields, amounts with a long tail, parties across the provinces, 计划来源, payment methods) are in
:mod:`.content_deals`. Everything is drawn from one seeded generator: the same seed gives the same deals. Loading is
idempotent: nothing is added when the demo's contracts (external id ``DEMO-…``) are already there."""
from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func

from ..achievements.models import Achievement
from ..deals import editing, payments
from ..deals.licensing import end_of_term, take_licence
from ..deals.models import Deal, Opportunity, PatentLicence
from ..deals.opportunities import open_opportunity
from ..deals.services import party_from_org, record_deal
from ..deals.vocabularies import CONTRACT_FIELDS, FIELD_TO_CONTRACT_FIELD
from ..extensions import db
from ..inquiries.models import Inquiry
from ..listings import PUBLISHED
from ..patents.models import Patent
from ..workflow import SYSTEM
from ..workflow.deals import OPPORTUNITY
from . import content_deals as C
from .codes import credit_code
from .content_orgs import GIVEN_CHARS, ORGS, SURNAMES
from .inquiries import InquiryDemo, Thread

MARKER = "DEMO-"
RESEARCH = ("university", "institute")
CENT = Decimal("0.01")
#: contract types and the cooperation mode of an inquiry that led to one
FROM_MODE = {"assignment": ("transfer", "know_how"), "licence": ("licence", "patent_ordinary"),
             "equity": ("transfer", "know_how"), "joint_development": ("development", "cooperative"),
             "service": ("service", "general")}
IP_OF_SUBTYPE = {"patent": "patent", "patent_application": "patent", "know_how": "know_how", "software": "software",
                 "ic_layout": "ic_layout", "plant_variety": "plant_variety",
                 "biomedical_variety": "biomedical_variety", "patent_exclusive": "patent", "patent_sole": "patent",
                 "patent_ordinary": "patent"}
LICENCE_WORDS = {"patent_exclusive": "独占", "patent_sole": "排他", "patent_ordinary": "普通"}


def _money(value: float | Decimal) -> Decimal:
    """万元 rounded as contracts are written: to ¥100 below ¥10万, ¥1000 below ¥100万, else whole 万元."""
    value = Decimal(str(value))
    step = CENT if value < 10 else Decimal("0.1") if value < 100 else Decimal("1")
    return max(value.quantize(step), CENT)


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)))


class DealDemo:
    """Runs the demo's deals for a :class:`marketplace.demo.loader.DemoLoader` (its organisations and users);
    ``plan`` is the dataset's ``"deals"``: ``[{"years_ago": 0 for this year, 1 for last year…, "contracts": n}]``."""

    def __init__(self, loader, plan: list[dict]):
        self.loader, self.plan = loader, plan
        self.rng = random.Random(f"deals:{loader.seed}")
        self.today = date.today()
        self.orgs = sorted(loader.orgs.values(), key=lambda o: o.id)
        fields = {name: {FIELD_TO_CONTRACT_FIELD[f] for f in platform_fields.split()}
                  for name, _, _, _, _, platform_fields, _ in ORGS}
        self.fields = {org.id: fields.get(org.name, set()) for org in self.orgs}
        self.brokers = sorted((u for u in loader.users.values() if u.platform_role == "broker" and u.active),
                              key=lambda u: u.id)
        self.serials: dict[tuple, int] = {}
        self.sequence = 0
        self.counts = {"inquiries": 0, "deals": 0, "opportunities": 0, "licences": 0}
        self.companies = [self._company() for _ in range(170)]
        self.institutes = [self._off_platform_seller(*item) for item in C.OFF_PLATFORM_SELLERS]
        self.public: dict[str, dict] = {}
        self.created: list[Deal] = []
        self.opportunities: list[tuple[Opportunity, datetime]] = []
        self.first_member: dict[int, object] = {}
        for user in sorted(loader.users.values(), key=lambda u: u.id):
            if user.org_id is not None:
                self.first_member.setdefault(user.org_id, user)
        self.org_extras: dict[int, dict] = {}
        self.achievements: dict[tuple, list] = {}  # (org id, contract field) → published achievements
        for achievement in db.session.execute(db.select(Achievement).where(
                Achievement.status == PUBLISHED).order_by(Achievement.id)).scalars():
            key = (achievement.org_id, FIELD_TO_CONTRACT_FIELD.get(achievement.technical_field, "manufacturing"))
            self.achievements.setdefault(key, []).append(achievement)

    # -- off-platform parties -----------------------------------------------------------------------------------------
    def _city(self) -> tuple[str, str]:
        city, code, _ = self.rng.choices(C.CITIES, [w for _, _, w in C.CITIES])[0]
        return city, code

    def _company(self) -> dict:
        field = self.rng.choices(list(C.FIELD_WEIGHTS), list(C.FIELD_WEIGHTS.values()))[0]
        city, region = self._city()
        brand = "".join(self.rng.sample(C.BRAND_CHARS, 2))
        shares = self.rng.random() < 0.15
        suffix = "股份有限公司" if shares else self.rng.choice(("有限公司", "有限公司", "有限公司", "集团有限公司"))
        nature = "160" if shares else self.rng.choices(list(C.NATURE_WEIGHTS), list(C.NATURE_WEIGHTS.values()))[0]
        flags = [flag for flag, p in (("high_tech_zone", 0.28), ("listed", 0.3 if shares else 0.03))
                 if self.rng.random() < p]
        return {"name": f"{city}{brand}{self.rng.choice(C.INDUSTRY_WORDS[field])}{suffix}", "org_id": None,
                "credit_code": credit_code("enterprise", region, self.rng), "nature": nature, "country": "156",
                "region": region, "flags": flags, "field": field,
                "enterprise_size": self.rng.choices(list(C.SIZE_WEIGHTS), list(C.SIZE_WEIGHTS.values()))[0]}

    def _off_platform_seller(self, name: str, region: str, nature: str, fields: str) -> dict:
        return {"name": name, "org_id": None, "credit_code": credit_code("institute", region, self.rng),
                "nature": nature, "country": "156", "region": region, "flags": ["rd_institution"],
                "fields": set(fields.split())}

    def _public_buyer(self, field: str) -> dict:
        template, nature = self.rng.choice(C.PUBLIC_BUYERS[field])
        city, region = self._city()
        name = template.format(city=city)
        if name not in self.public:
            kind = "government" if nature.startswith("01") else "university"
            self.public[name] = {"name": name, "org_id": None, "credit_code": credit_code(kind, region, self.rng),
                                 "nature": nature, "country": "156", "region": region, "flags": []}
        return self.public[name]

    def _person(self) -> dict:
        name = self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN_CHARS, 2))
        return {"name": name, "org_id": None, "nature": "400", "country": "156", "region": self._city()[1],
                "flags": []}

    # -- platform parties ---------------------------------------------------------------------------------------------
    def _org_party(self, org, role: str) -> dict:
        party = party_from_org(org, role)
        if org.org_type == "enterprise":
            extras = self.org_extras.setdefault(org.id, {
                "enterprise_size": self.rng.choices(list(C.SIZE_WEIGHTS), list(C.SIZE_WEIGHTS.values()))[0],
                "flags": ["high_tech_zone"] if self.rng.random() < 0.45 else []})
            party["enterprise_size"] = extras["enterprise_size"]
            party["flags"] = [*party["flags"], *extras["flags"]]
        return party

    def _platform(self, types: tuple, field: str, exclude: set[int]):
        candidates = [o for o in self.orgs if o.org_type in types and o.id not in exclude]
        weights = [6 if field in self.fields[o.id] else 1 for o in candidates]
        return self.rng.choices(candidates, weights)[0]

    def seller(self, kind: str, field: str) -> tuple[dict, object]:
        r = self.rng.random()
        research = 0.78 if kind in ("transfer", "licence") else 0.66
        if r < research:
            org = self._platform(RESEARCH, field, set())
            return self._org_party(org, "seller"), org
        if r < research + 0.12:
            matching = [i for i in self.institutes if field in i["fields"]] or self.institutes
            return {k: v for k, v in self.rng.choice(matching).items() if k != "fields"}, None
        if r < research + 0.2:
            org = self._platform(("enterprise",), field, set())
            return self._org_party(org, "seller"), org
        return self._off_company(field), None

    def _off_company(self, field: str) -> dict:
        same = [c for c in self.companies if c["field"] == field]
        pool = same if same and self.rng.random() < 0.75 else self.companies
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(pool))]  # some companies come back often
        company = self.rng.choices(pool, weights)[0]
        return {k: v for k, v in company.items() if k != "field"}

    def buyer(self, field: str, seller_org) -> tuple[dict, object]:
        exclude = {seller_org.id} if seller_org is not None else set()
        r = self.rng.random()
        if r < 0.27:
            org = self._platform(("enterprise",), field, exclude)
            return self._org_party(org, "buyer"), org
        if r < 0.33 and field in C.PUBLIC_BUYERS:
            return dict(self._public_buyer(field)), None
        if r < 0.34:
            return self._person(), None
        if r < 0.37:
            org = self._platform(RESEARCH, field, exclude)
            return self._org_party(org, "buyer"), org
        return self._off_company(field), None

    # -- one contract -------------------------------------------------------------------------------------------------
    def _signed_on(self, year: int) -> date:
        start = date(year, 1, 3)
        end = min(date(year, 12, 28), self.today - timedelta(days=1))
        day = start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))
        return min(day, self.today - timedelta(days=1))

    def _amounts(self, kind: str, equity: bool, forced: Decimal | None = None) -> tuple[Decimal, Decimal]:
        if forced is not None:
            total = forced
        else:
            median, sigma = (300, 0.9) if equity else (C.AMOUNT_MEDIANS[kind], C.AMOUNT_SIGMA)
            total = _money(min(max(median * math.exp(self.rng.gauss(0, sigma)), 0.3), 9000))
        low, high = C.TECHNICAL_SHARE[kind]
        if self.rng.random() < 0.4 or equity:
            return total, total
        return total, min(total, (total * Decimal(str(self.rng.uniform(low, high)))).quantize(CENT))

    def _payment_method(self, kind: str, sub: str, equity: bool) -> str:
        if equity:
            return "equity"
        options = {"licence": {"royalty": 30, "instalments": 40, "lump_sum": 30},
                   "transfer": {"lump_sum": 50, "instalments": 40, "royalty": 10},
                   "development": {"instalments": 65, "lump_sum": 35}}.get(kind, {"lump_sum": 62, "instalments": 38})
        return self.rng.choices(list(options), list(options.values()))[0]

    def _valid_to(self, kind: str, start: date) -> date:
        months = {"service": (3, 12), "consulting": (1, 6), "development": (6, 36), "transfer": (1, 6),
                  "licence": (36, 120)}[kind]
        return start + timedelta(days=30 * self.rng.randint(*months))

    def _topic(self, field: str, achievement) -> str:
        if achievement:
            return achievement.title
        return self.rng.choice(C.TOPICS[field])

    def _name(self, kind: str, sub: str, topic: str, patent, equity: bool) -> str:
        if equity:
            return f"{topic}技术作价入股合同"
        if patent is not None and kind == "transfer" and sub == "patent":
            return f"「{patent.title}」专利权转让合同"
        if patent is not None and sub in LICENCE_WORDS:
            return f"「{patent.title}」专利实施许可合同（{LICENCE_WORDS[sub]}许可）"
        names = {
            ("development", "commissioned"): "{t}委托开发合同", ("development", "cooperative"): "{t}合作开发合同",
            ("transfer", "patent"): "{t}专利权转让合同", ("transfer", "patent_application"): "{t}专利申请权转让合同",
            ("transfer", "know_how"): "{t}技术秘密转让合同", ("transfer", "software"): "{t}软件著作权转让合同",
            ("transfer", "ic_layout"): "{t}集成电路布图设计专有权转让合同",
            ("transfer", "plant_variety"): "{t}植物新品种权转让合同",
            ("transfer", "biomedical_variety"): "{t}生物医药新品种权转让合同",
            ("licence", "know_how"): "{t}技术秘密使用许可合同", ("licence", "other"): "{t}技术许可合同",
            ("consulting", "general"): self.rng.choice(("{t}技术咨询合同", "{t}可行性论证咨询合同", "{t}技术路线咨询合同")),
            ("service", "general"): self.rng.choice(("{t}技术服务合同", "{t}检测分析技术服务合同", "{t}工艺优化技术服务合同")),
            ("service", "training"): "{t}技术培训合同",
        }
        template = names.get((kind, sub), "{t}专利实施许可合同（" + LICENCE_WORDS.get(sub, "普通") + "许可）")
        if sub == "plant_variety":
            topic = self.rng.choice(C.PLANT_VARIETIES)
        return template.format(t=topic)[:200]

    def contract(self, year: int, spec: dict | None = None) -> Deal:
        """One contract signed in ``year`` (``spec`` fixes some choices: a landmark, or one from an inquiry)."""
        spec = spec or {}
        rng = self.rng
        kind = spec.get("kind") or rng.choices(list(C.TYPE_WEIGHTS), list(C.TYPE_WEIGHTS.values()))[0]
        subs = C.SUBTYPE_WEIGHTS[kind]
        sub = spec.get("sub") or rng.choices(list(subs), list(subs.values()))[0]
        field = spec.get("field") or (
            "agriculture" if sub == "plant_variety" else "biomedicine" if sub == "biomedical_variety"
            else rng.choices(list(C.FIELD_WEIGHTS), list(C.FIELD_WEIGHTS.values()))[0])
        equity = spec.get("equity", kind == "transfer" and sub in ("patent", "know_how") and rng.random() < 0.08)
        seller, seller_org = spec["seller"] if "seller" in spec else self.seller(kind, field)
        buyer, buyer_org = spec["buyer"] if "buyer" in spec else self.buyer(field, seller_org)
        achievement = spec.get("achievement")  # False: none (a 技术中介 contract names the underlying one)
        if achievement is None and seller_org is not None and rng.random() < 0.6:
            pool = self.achievements.get((seller_org.id, field))
            achievement = rng.choice(pool) if pool else None
        patent = spec.get("patent")
        if patent is None and achievement is not None and IP_OF_SUBTYPE.get(sub) == "patent":
            granted = [p for p in achievement.patents if p.legal_status == "granted"]
            patent = granted[0] if granted else None
        if kind in ("transfer", "licence"):
            ip_type = IP_OF_SUBTYPE.get(sub, "know_how")
        else:
            options = {"development": {"patent": 40, "know_how": 25, "software": 15, "none": 20},
                       "service": {"none": 70, "know_how": 15, "software": 15}}.get(kind, {"none": 90, "know_how": 10})
            ip_type = rng.choices(list(options), list(options.values()))[0]
        signed_on = spec.get("signed_on") or self._signed_on(year)
        total, technical = self._amounts(kind, equity, spec.get("amount"))
        valid_from = signed_on + timedelta(days=rng.randint(0, 10))
        self.sequence += 1
        data = {
            "name": spec.get("name") or self._name(kind, sub, self._topic(field, achievement), patent, equity),
            "contract_type": kind, "contract_subtype": sub, "equity_investment": equity,
            "total_amount": str(total), "technical_amount": str(technical),
            "payment_method": spec.get("payment_method") or self._payment_method(kind, sub, equity),
            "related_party": rng.random() < 0.03, "signed_on": signed_on.isoformat(),
            "valid_from": valid_from.isoformat(), "valid_to": self._valid_to(kind, valid_from).isoformat(),
            "plan_source": spec.get("plan_source") or rng.choices(list(C.PLAN_SOURCE_WEIGHTS),
                                                                  list(C.PLAN_SOURCE_WEIGHTS.values()))[0],
            "ip_type": ip_type, "technical_field": field, "external_id": f"{MARKER}{self.sequence:04d}",
            "parties": [{**seller, "role": "seller"}, {**buyer, "role": "buyer"}, *spec.get("extra_parties", ())],
        }
        broker = spec.get("broker")
        if broker is None and (seller_org or buyer_org) is not None and rng.random() < 0.38:
            broker = rng.choices(self.brokers, [3] + [1] * (len(self.brokers) - 1))[0]
        agency = broker.organization if broker is not None and broker.organization is not None and \
            broker.organization.org_type == "broker_agency" else None
        deal = record_deal(SYSTEM, data, inquiry=spec.get("inquiry"), demand=spec.get("demand"),
                           challenge=spec.get("challenge"), achievements=[achievement] if achievement else [],
                           patents=[patent] if patent else [], broker=broker, agency=agency,
                           underlying=spec.get("underlying"))
        self.counts["deals"] += 1
        self.created.append(deal)
        self.settle(deal, seller_org, buyer_org)
        return deal

    # -- after signing: registration, money, consent ------------------------------------------------------------------
    def _registration_number(self, deal: Deal, day: date) -> str:
        seller = deal.seller
        region = seller.credit_code[2:8] if seller.credit_code else seller.region
        key = (day.year, region)
        self.serials[key] = self.serials.get(key, self.rng.randint(80, 600)) + self.rng.randint(1, 9)
        return f"{day.year}{region}{self.serials[key]:06d}"

    def register(self, deal: Deal, day: date) -> None:
        editing.register_deal(SYSTEM, deal, {"registration_number": self._registration_number(deal, day),
                                             "registered_on": day.isoformat()})

    def settle(self, deal: Deal, seller_org, buyer_org) -> None:
        rng, today = self.rng, self.today
        due = deal.signed_on + timedelta(days=rng.randint(4, 38))
        if due < today:
            r = rng.random()
            if r < 0.925:
                self.register(deal, due)
            elif r >= 0.96:
                editing.refuse_deal(SYSTEM, deal, {"reason": rng.choice(C.REFUSAL_REASONS)})
                again = due + timedelta(days=rng.randint(20, 60))
                if rng.random() < 0.35 and again < today:  # corrected and registered after all
                    editing.resubmit_deal(SYSTEM, deal)
                    self.register(deal, again)
        self.pay(deal)
        self.reward(deal)
        if str(deal.registration_status) == "registered" and rng.random() < 0.34:
            for org in (seller_org, buyer_org):  # each side on the platform agrees on its own
                if org is not None:
                    editing.consent_deal(self.first_member[org.id], deal, {"consent": True})
            if seller_org is None or buyer_org is None:  # staff record an off-platform party's written consent
                editing.consent_deal(SYSTEM, deal, {"consent": True})

    def pay(self, deal: Deal) -> None:
        """Payments received: one for a lump sum, instalments over up to two years, yearly royalties; none for a
        技术入股 (paid in shares). Only what has fallen due by today."""
        rng, total, start = self.rng, deal.total_amount, deal.valid_from or deal.signed_on
        method = deal.payment_method
        if method == "equity":
            return
        if method == "lump_sum":
            plan = [(start + timedelta(days=rng.randint(5, 75)), total)]
        elif method == "instalments":
            shares = rng.choice(((Decimal("0.3"), Decimal("0.4"), Decimal("0.3")), (Decimal("0.5"), Decimal("0.5")),
                                 (Decimal("0.3"), Decimal("0.6"), Decimal("0.1")),
                                 (Decimal("0.2"), Decimal("0.3"), Decimal("0.3"), Decimal("0.2"))))
            gaps = [rng.randint(10, 40)] + [rng.randint(120, 300) for _ in shares[1:]]
            days, plan, paid = 0, [], Decimal(0)
            for index, (share, gap) in enumerate(zip(shares, gaps)):
                days += gap
                amount = total - paid if index == len(shares) - 1 else (total * share).quantize(CENT)
                paid += amount
                plan.append((start + timedelta(days=days), amount))
        else:  # royalty: yearly, a share of sales
            yearly = max((total * Decimal(str(rng.uniform(0.12, 0.3)))).quantize(CENT), CENT)
            plan = [(start + timedelta(days=365 * n + rng.randint(0, 40)), yearly) for n in range(1, 6)]
            budget, kept = total, []
            for day, amount in plan:
                if budget <= 0:
                    break
                kept.append((day, min(amount, budget)))
                budget -= amount
            plan = kept
        for day, amount in plan:
            if day <= self.today and amount > 0:
                payments.add_payment(SYSTEM, deal, {"received_on": day.isoformat(), "amount": str(amount)})

    def reward(self, deal: Deal) -> None:
        """Rewards to individuals (科技成果转化奖励) on contracts of universities and institutes: most transfers and
        licences, a third of the others; in shares for a 技术入股."""
        seller = deal.seller
        if seller.nature not in ("021", "022") or deal.contract_subtype == "intermediary":
            return
        rng = self.rng
        if deal.equity_investment:
            awarded = deal.signed_on + timedelta(days=rng.randint(30, 120))
            if awarded <= self.today:
                payments.add_reward(SYSTEM, deal, {
                    "form": "equity", "amount": str((deal.total_amount * Decimal(str(rng.uniform(0.5, 0.7))))
                                                    .quantize(CENT)),
                    "persons": rng.randint(3, 12), "awarded_on": awarded.isoformat()})
            return
        transfer = deal.contract_type in ("transfer", "licence")
        received = deal.received_amount
        if received <= 0 or rng.random() > (0.75 if transfer else 0.33):
            return
        share = rng.uniform(0.5, 0.7) if transfer else rng.uniform(0.2, 0.4)
        last = max(p.received_on for p in deal.payments)
        awarded = min(last + timedelta(days=rng.randint(10, 60)), self.today)
        payments.add_reward(SYSTEM, deal, {"form": "cash", "amount": str(max((received * Decimal(str(share)))
                                                                                 .quantize(CENT), CENT)),
                                           "persons": rng.randint(2, 9), "awarded_on": awarded.isoformat()})

    def intermediary(self, underlying: Deal) -> Deal:
        """The 技术中介 contract of a brokered deal: the same parties, the broker's agency as 中介方, a fee of 3–8 %."""
        agency = underlying.agency
        parties = [{name: getattr(p, name) for name in ("role", "org_id", "name", "credit_code", "nature", "country",
                                                          "region", "flags", "enterprise_size")}
                   for p in underlying.parties]
        parties.append(self._org_party(agency, "intermediary"))
        fee = max((underlying.total_amount * Decimal(str(self.rng.uniform(0.03, 0.08)))).quantize(CENT), CENT)
        orgs = {o.id: o for o in self.orgs}
        return self.contract(underlying.signed_on.year, {
            "kind": "service", "sub": "intermediary", "field": underlying.technical_field, "equity": False,
            "seller": (parties[0], orgs.get(parties[0]["org_id"])), "buyer": (parties[1], orgs.get(parties[1]["org_id"])),
            "name": f"{underlying.name}（技术中介）"[:200], "amount": _money(fee), "payment_method": "lump_sum",
            "signed_on": underlying.signed_on, "broker": underlying.broker, "underlying": underlying,
            "achievement": False, "patent": False, "extra_parties": parties[2:]})

    # -- the broker pipeline -------------------------------------------------------------------------------------------
    def _broker(self, *candidates):
        return next((b for b in candidates if b is not None), None) or self.rng.choice(self.brokers)

    def opportunity(self, broker, created: datetime, *, source: str, title: str, deal: Deal | None = None,
                    lose: str | None = None, negotiate: bool = False, **links) -> Opportunity:
        """Open an opportunity attributed to ``broker`` and move it as far as its contract has gone (or lose it)."""
        expected = links.pop("expected_amount", None)
        opportunity = open_opportunity(SYSTEM, source=source, title=title[:200], broker=broker, deal=deal,
                                       expected_amount=deal.total_amount if deal is not None else expected, **links)
        self.counts["opportunities"] += 1
        self.opportunities.append((opportunity, created))
        if deal is None:
            if negotiate or lose:
                OPPORTUNITY.apply(broker, opportunity, "negotiate")
            if lose:
                OPPORTUNITY.apply(broker, opportunity, "lose", reason=lose)
            return opportunity
        if str(deal.registration_status) == "registered":
            OPPORTUNITY.apply(broker, opportunity, "register")
            if (self.today - deal.signed_on).days > 45:
                OPPORTUNITY.apply(broker, opportunity, "perform")
                if deal.valid_to is not None and deal.valid_to < self.today:
                    OPPORTUNITY.apply(broker, opportunity, "win")
        return opportunity

    def pipeline(self, threads: list[Thread], inquiry_deals: list[tuple[Thread, Deal]]) -> None:
        """Opportunities at every stage, attributed to the demo's brokers: from inquiries (leads, negotiations, lost
        after a decline, signed when a contract followed), from brokered contracts, and a few entered by hand."""
        rng = self.rng
        orgs = {o.id: o for o in self.orgs}
        deals = {id(thread): deal for thread, deal in inquiry_deals}
        for thread in threads:
            inquiry, subject = thread.inquiry, thread.subject
            if thread.outcome in ("open", "overdue", "closed") and rng.random() < 0.4:
                continue
            supply = inquiry.subject_kind in ("achievement", "patent")
            seller, buyer = (inquiry.holder_org_id, inquiry.asker_org_id) if supply else \
                (inquiry.asker_org_id, inquiry.holder_org_id)
            links = {"inquiry": inquiry, inquiry.subject_kind: subject, "seller_org": orgs[seller],
                     "buyer_org": orgs[buyer], "expected_amount": inquiry.budget}
            lose = None
            if thread.outcome == "declined":
                lose = f"持有方婉拒：{C.DECLINE_NOTES[inquiry.decline_reason]}"
            elif thread.outcome == "closed":
                lose = rng.choice(C.LOST_REASONS)
            self.opportunity(self._broker(inquiry.broker), thread.times[0] + timedelta(hours=rng.randint(2, 30)),
                             source="inquiry", title=f"{orgs[inquiry.asker_org_id].name}洽谈「{inquiry.subject_title}」",
                             deal=deals.get(id(thread)), lose=lose, negotiate=thread.outcome == "answered", **links)
        linked = {id(deal) for _, deal in inquiry_deals}
        brokered = [d for d in self.created if d.broker is not None and id(d) not in linked
                    and d.contract_subtype != "intermediary"]
        for deal in rng.sample(brokered, min(36, len(brokered))):
            created = _moment(deal.signed_on - timedelta(days=rng.randint(20, 120)), rng)
            seller, buyer = deal.seller.org_id, deal.buyer.org_id
            self.opportunity(deal.broker, created, source=rng.choice(("manual", "manual", "match")), title=deal.name,
                             deal=deal, seller_org=orgs.get(seller), buyer_org=orgs.get(buyer),
                             achievement=deal.achievements[0] if deal.achievements else None,
                             patent=deal.patents[0] if deal.patents else None)
        for index in range(10):  # leads entered by hand: some new, some in negotiation, some lost
            field = rng.choice(list(CONTRACT_FIELDS))
            seller = self._platform(RESEARCH, field, set())
            buyer = self._platform(("enterprise",), field, set())
            pool = self.achievements.get((seller.id, field))
            created = datetime.combine(self.today, time(9)) - timedelta(days=rng.randint(3, 200))
            self.opportunity(self._broker(), created, source="manual" if index % 3 else "match",
                             title=f"{buyer.name}对接{self._topic(field, rng.choice(pool) if pool else None)}",
                             seller_org=seller, buyer_org=buyer, achievement=rng.choice(pool) if pool else None,
                             expected_amount=_money(rng.choice((15, 30, 50, 80, 120, 200))),
                             negotiate=index % 3 == 1, lose=rng.choice(C.LOST_REASONS) if index % 4 == 3 else None)

    # -- licences under open licences ----------------------------------------------------------------------------------
    def licences(self, count: int = 4) -> None:
        """A few licences taken in one step under demo patents' open licences, by enterprises, some months ago."""
        patents = [p for p in db.session.execute(db.select(Patent).where(
            Patent.status == PUBLISHED, Patent.legal_status == "granted").order_by(Patent.id)).scalars()
            if p.has_open_licence and p.organization is not None and p.organization.credit_code]
        enterprises = [o for o in self.orgs if o.org_type == "enterprise" and o.id in self.first_member]
        for patent in self.rng.sample(patents, min(count, len(patents))):
            licensee = self.rng.choice([o for o in enterprises if o.id != patent.org_id])
            licence = take_licence(self.first_member[licensee.id], patent, {"confirm": True})
            self.counts["licences"] += 1
            self.counts["deals"] += 1
            shift = timedelta(days=self.rng.randint(40, 300))
            licence.starts_on -= shift
            licence.ends_on = end_of_term(licence.starts_on, licence.term_years)
            licence.created_at = licence.terms_confirmed_at = _moment(licence.starts_on, self.rng)
            deal = licence.deal
            deal.signed_on, deal.valid_from, deal.valid_to = licence.starts_on, licence.starts_on, licence.ends_on
            self.created.append(deal)
            self.register(deal, min(deal.signed_on + timedelta(days=self.rng.randint(5, 25)), self.today))
            fee = licence.annual_fee
            if fee:
                paid, year = Decimal(0), 0
                while licence.starts_on + timedelta(days=365 * year) <= self.today and paid + fee <= deal.total_amount:
                    day = licence.starts_on + timedelta(days=365 * year + self.rng.randint(0, 20))
                    if day <= self.today:
                        payments.add_payment(SYSTEM, deal, {"received_on": day.isoformat(), "amount": str(fee)})
                        paid += fee
                    year += 1
            opportunity = db.session.execute(db.select(Opportunity).where(Opportunity.deal_id == deal.id)
                                             ).scalar_one_or_none()
            if opportunity is not None:  # taken by the licensee itself: no broker; the platform follows it up
                self.counts["opportunities"] += 1
                self.opportunities.append((opportunity, licence.created_at))
                OPPORTUNITY.apply(SYSTEM, opportunity, "register")
                OPPORTUNITY.apply(SYSTEM, opportunity, "perform")

    # -- dates ------------------------------------------------------------------------------------------------------------
    def age_records(self) -> None:
        """Give what was recorded now the dates of the contracts: recorded a few days after signing; the
        opportunities' stage moves at their contract's signing, registration, performance and end."""
        now = self.loader.now
        for deal in self.created:
            moment = min(_moment(deal.signed_on + timedelta(days=self.rng.randint(0, 6)), self.rng), now)
            deal.created_at = deal.updated_at = moment
        for opportunity, created in self.opportunities:
            created = min(created, now)
            opportunity.created_at = created
            deal = opportunity.deal
            step = created
            if opportunity.negotiation_at is not None:
                step = opportunity.negotiation_at = min(created + timedelta(days=self.rng.randint(2, 15)), now)
            if deal is not None and opportunity.signed_at is not None:
                step = opportunity.signed_at = max(_moment(deal.signed_on, self.rng), step)
            if deal is not None and opportunity.registered_at is not None and deal.registered_on is not None:
                step = opportunity.registered_at = max(_moment(deal.registered_on, self.rng), step)
            if opportunity.performance_at is not None:
                step = opportunity.performance_at = min(step + timedelta(days=self.rng.randint(3, 30)), now)
            if opportunity.closed_at is not None:
                end = _moment(deal.valid_to, self.rng) if deal is not None and deal.valid_to else \
                    step + timedelta(days=self.rng.randint(10, 60))
                opportunity.closed_at = min(max(end, step), now)

    # -- the whole plan -----------------------------------------------------------------------------------------------
    def landmarks(self) -> list[tuple[int, dict]]:
        """Three contracts above ¥1亿 (the annual report counts them): a 技术入股, a cooperative development and an
        exclusive licence, in the last three years."""
        by_name = {o.name: o for o in self.orgs}
        year = self.today.year
        result = []
        optics, auto, bio = (by_name.get(n) for n in ("净月光电技术研究院", "吉中汽车工程研究院", "浦江生物医药研究院"))
        racer = by_name.get("深圳锐驰新能源汽车有限公司")
        newco = {"name": "长春净光激光雷达科技有限公司", "org_id": None, "nature": "150", "country": "156",
                 "region": "220100", "flags": ["high_tech_zone"], "enterprise_size": "small",
                 "credit_code": credit_code("enterprise", "220100", self.rng, recent=True)}
        pharma = {"name": "苏州康源生物制药股份有限公司", "org_id": None, "nature": "160", "country": "156",
                  "region": "320500", "flags": ["listed", "high_tech_zone"], "enterprise_size": "large",
                  "credit_code": credit_code("enterprise", "320500", self.rng)}
        if optics is not None:
            result.append((year - 2, {"kind": "transfer", "sub": "patent", "field": "electronics", "equity": True,
                                      "amount": Decimal("12800"), "seller": (self._org_party(optics, "seller"), optics),
                                      "buyer": (newco, None), "plan_source": "provincial"}))
        if auto is not None and racer is not None:
            result.append((year - 1, {"kind": "development", "sub": "cooperative", "field": "transport",
                                      "amount": Decimal("15600"), "payment_method": "instalments",
                                      "seller": (self._org_party(auto, "seller"), auto),
                                      "buyer": (self._org_party(racer, "buyer"), racer), "plan_source": "national"}))
        if bio is not None:
            result.append((year, {"kind": "licence", "sub": "patent_exclusive", "field": "biomedicine",
                                  "amount": Decimal("10500"), "payment_method": "instalments",
                                  "seller": (self._org_party(bio, "seller"), bio), "buyer": (pharma, None)}))
        return result

    def from_inquiry(self, thread: Thread) -> Deal:
        """The contract an inquiry led to: the holder sells a listing it offers (the asker buys); for a demand or a
        challenge the asker sells its solution to the holder."""
        inquiry, subject = thread.inquiry, thread.subject
        orgs = {o.id: o for o in self.orgs}
        supply = inquiry.subject_kind in ("achievement", "patent")
        seller_org = orgs[inquiry.holder_org_id if supply else inquiry.asker_org_id]
        buyer_org = orgs[inquiry.asker_org_id if supply else inquiry.holder_org_id]
        kind, sub = FROM_MODE[inquiry.cooperation_mode]
        if inquiry.subject_kind == "patent" and kind == "transfer":
            sub = "patent"
        field = FIELD_TO_CONTRACT_FIELD.get(getattr(subject, "technical_field", None) or "", "manufacturing")
        signed_on = min(thread.times[-1].date() + timedelta(days=self.rng.randint(3, 20)),
                        self.today - timedelta(days=1))
        spec = {"kind": kind, "sub": sub, "field": field, "equity": inquiry.cooperation_mode == "equity",
                "seller": (self._org_party(seller_org, "seller"), seller_org),
                "buyer": (self._org_party(buyer_org, "buyer"), buyer_org), "signed_on": signed_on,
                "inquiry": inquiry, "broker": inquiry.broker}
        if inquiry.budget:
            spec["amount"] = _money(inquiry.budget * Decimal(str(self.rng.uniform(0.8, 1.2))))
        if inquiry.subject_kind == "achievement":
            spec["achievement"] = subject
        elif inquiry.subject_kind == "patent":
            spec["patent"] = subject
            spec["name"] = (f"「{subject.title}」专利权转让合同" if kind == "transfer" else
                            f"「{subject.title}」专利实施许可合同（普通许可）")[:200]
        elif inquiry.subject_kind == "demand":
            spec["demand"] = subject
            spec["name"] = f"{subject.title}合作开发合同"[:200] if kind == "development" else \
                f"{subject.title}技术服务合同"[:200]
        else:
            spec["challenge"] = subject
            spec["name"] = f"{subject.title}（揭榜攻关）合作开发合同"[:200]
        return self.contract(signed_on.year, spec)

    def run(self) -> dict[str, dict[str, int]]:
        if db.session.execute(db.select(Deal.id).where(Deal.external_id.like(f"{MARKER}%")).limit(1)).first():
            there = {kind: db.session.execute(db.select(func.count()).select_from(model)).scalar_one()
                     for kind, model in (("inquiries", Inquiry), ("deals", Deal), ("opportunities", Opportunity),
                                         ("licences", PatentLicence))}
            return {kind: {"created": 0, "skipped": n} for kind, n in there.items()}
        threads = InquiryDemo(self.loader, self.rng).run()
        self.counts["inquiries"] = len(threads)
        landmarks = self.landmarks()
        for offset_plan in self.plan:
            year = self.today.year - offset_plan["years_ago"]
            for _ in range(offset_plan["contracts"]):
                self.contract(year)
        for year, spec in landmarks:
            self.contract(year, spec)
        inquiry_deals = [(thread, self.from_inquiry(thread)) for thread in threads if thread.outcome == "deal"]
        brokered = [d for d in db.session.execute(db.select(Deal).where(
            Deal.broker_id.is_not(None), Deal.agency_org_id.is_not(None), Deal.contract_subtype != "intermediary",
            Deal.total_amount >= 10).order_by(Deal.id)).scalars()]
        for underlying in self.rng.sample(brokered, min(24, len(brokered))):
            self.intermediary(underlying)
        self.pipeline(threads, inquiry_deals)
        self.licences()
        self.age_records()
        db.session.flush()
        return {kind: {"created": n, "skipped": 0} for kind, n in self.counts.items()}


#: contracts signed per year (this year and the three before): the dataset's ``"deals"``
PLAN = [{"years_ago": 3, "contracts": 72}, {"years_ago": 2, "contracts": 88}, {"years_ago": 1, "contracts": 104},
        {"years_ago": 0, "contracts": 116}]


def load_deals(loader, plan: list[dict]) -> dict[str, dict[str, int]]:
    """Create the demo's inquiries, contracts, opportunities and licences unless they are there already."""
    with db.session.no_autoflush:  # the services flush what they create; thousands of extra flushes cost seconds
        return DealDemo(loader, plan).run()
