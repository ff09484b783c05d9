"""The demo dataset: fictional organisations, users, patents, achievements and demands, deterministic for a seed.

Every record is composed from the topic banks (``content_*``) with a seeded RNG, so the same seed always gives the
same dataset. Demands are written on the same topics as the achievements, so matching has something to find.
"""
from __future__ import annotations

import random
import re
from datetime import date, timedelta

from ..taxonomy import INDUSTRIES, REGIONS, TECHNICAL_FIELDS, TRANSFER_MODES
from . import (content_agriculture, content_ai, content_automotive, content_biomedicine, content_environment,
               content_equipment, content_medical_devices, content_minor_a, content_minor_b, content_new_energy,
               content_new_materials, content_optoelectronics)
from . import content_phrases as P
from .content_common import Topic, clip, demand_metric, fill, render_metric, topic_kind
from .codes import org_credit_code
from .content_orgs import ENTERPRISE_EXTRAS, FIXED_USERS, GIVEN_CHARS, ORGS, SURNAMES

DOMAIN = "demo.techmarket.cn"
PASSWORD = "demo12345"
MAJOR_PER_FIELD, MINOR_PER_FIELD, DEMAND_COUNT = 28, 9, 80
HOLDERS = ("university", "institute", "enterprise")
LOCAL = re.compile("吉林|长春|长白山|东北|北方")
YEARS = {"2022": 10, "2023": 15, "2024": 20, "2025": 25, "2026": 30}
LOCARNO = {"medical_devices": "24-02", "biomedicine": "24-02", "equipment": "15-99", "new_energy": "13-03",
           "environment": "23-01", "automotive": "12-16", "ai": "14-02", "electronics": "14-02", "food": "09-01",
           "civil": "25-01", "optoelectronics": "10-04"}


def _banks() -> dict[str, tuple[list[Topic], list[str], list[str]]]:
    """field -> (topics, generic sentences, design products), in taxonomy order."""
    banks = {}
    for module in (content_new_materials, content_biomedicine, content_optoelectronics, content_agriculture,
                   content_equipment, content_new_energy, content_environment, content_automotive, content_ai,
                   content_medical_devices):
        banks[module.FIELD] = (module.TOPICS, module.NOTES, module.PRODUCTS)
    for module in (content_minor_a, content_minor_b):
        for field, topics in module.BANKS.items():
            banks[field] = (topics, module.NOTES[field], module.PRODUCTS[field])
    return {field: banks[field] for field in TECHNICAL_FIELDS if field in banks}


def _weighted_sample(rng, weights: dict[str, float], k: int) -> list[str]:
    pool, chosen = dict(weights), []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(pick)
        del pool[pick]
    return chosen


class _Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.banks = _banks()
        self.orgs: list[dict] = []
        self.meta: dict[str, dict] = {}  # org name -> slug, area, fields, business
        self.users: list[dict] = []
        self.members: dict[str, list[dict]] = {}
        self.names: set[str] = set()
        self.patents: list[dict] = []
        self.numbers: set[str] = set()
        self.titles: set = set()  # achievement titles and (org, patent title) pairs

    # -- people and organisations ----------------------------------------------------------------------------
    def person(self) -> str:
        while True:
            given = "".join(self.rng.sample(GIVEN_CHARS, self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.names:
                self.names.add(name)
                return name

    def organizations(self) -> None:
        rng = self.rng
        for name, org_type, region, slug, area, fields, text in ORGS:
            description = text
            if org_type == "enterprise":
                founded = rng.randint(1995, 2018)
                description = f"公司成立于{founded}年，主要从事{text}。" + fill(rng, rng.choice(ENTERPRISE_EXTRAS))
            website = None if rng.random() < 0.15 else f"https://www.{slug}.example.cn"
            self.orgs.append({"name": name, "org_type": org_type, "region": region, "description": description,
                              "website": website, "credit_code": org_credit_code(name, org_type, region, area)})
            self.meta[name] = {"slug": slug, "area": area, "fields": fields.split(), "type": org_type,
                               "region": region, "business": text}
            self.members[name] = []

    def add_user(self, email: str, name: str, org: str | None, role: str | None, platform_role: str | None):
        user = {"email": email, "name": name, "password": PASSWORD, "org": org, "org_role": role,
                "platform_role": platform_role}
        self.users.append(user)
        self.names.add(name)
        if org:
            self.members[org].append(user)

    def user_list(self) -> None:
        for prefix, name, org, role, platform_role in FIXED_USERS:
            self.add_user(f"{prefix}@{DOMAIN}", name, org, role, platform_role)
        for org in self.orgs:
            name, meta = org["name"], self.meta[org["name"]]
            if not any(u["org_role"] == "org_admin" for u in self.members[name]):
                # every 技术转移机构 has a 技术经纪人: the admins of those without a fixed broker login are brokers
                broker = meta["type"] == "broker_agency" and not any(u["platform_role"] == "broker"
                                                                     for u in self.members[name])
                self.add_user(f"admin.{meta['slug']}@{DOMAIN}", self.person(), name, "org_admin",
                              "broker" if broker else None)
            if meta["type"] in ("university", "institute"):
                for i in range(1, 3):
                    self.add_user(f"staff{i}.{meta['slug']}@{DOMAIN}", self.person(), name, "member", None)

    def owner(self, org: str) -> str:
        members = self.members[org]
        staff = [u for u in members if u["org_role"] == "member"] or members
        return self.rng.choice(staff if self.rng.random() < 0.7 else members)["email"]

    # -- patents ---------------------------------------------------------------------------------------------
    def number(self, year: int, kind: int, granted: bool) -> str:
        while True:
            digits = f"{year}{kind}{self.rng.randrange(10 ** 6, 10 ** 7):07d}"
            check = sum(int(d) * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5))) % 11
            number = f"{'ZL' if granted else 'CN'}{digits}.{check}"
            if check < 10 and number not in self.numbers:
                self.numbers.add(number)
                return number

    def patent_title(self, org: str, topic: Topic, patent_type: str) -> str:
        options = [t.format(c=topic.core) for t in P.PATENT_TITLES[topic_kind(topic), patent_type]]
        fresh = [t for t in options if (org, t) not in self.titles]
        title = self.rng.choice(fresh) if fresh else f"{options[0]}（{len(self.titles) % 7 + 2}）"
        self.titles.add((org, title))
        return title

    def patent(self, org: str, owner: str, topic: Topic, patent_type: str, legal: str, product: str = "") -> dict:
        rng = self.rng
        term = {"invention_patent": 20, "utility_model": 10, "design": 15}[patent_type]
        if legal == "expired":
            filing = date(2025 - term - rng.randint(0, 4), rng.randint(1, 12), rng.randint(1, 28))
        elif legal == "pending":
            filing = date(rng.randint(2023, 2025), rng.randint(1, 9), rng.randint(1, 28))
        elif patent_type == "invention_patent":
            filing = date(rng.randint(2015, 2022), rng.randint(1, 12), rng.randint(1, 28))
        else:
            filing = date(rng.randint(2018, 2024), rng.randint(1, 12), rng.randint(1, 28))
        months = rng.randint(20, 38) if patent_type == "invention_patent" else rng.randint(5, 11)
        grant = None if legal == "pending" else filing + timedelta(days=30 * months)
        kind = {"invention_patent": 1, "utility_model": 2, "design": 3}[patent_type]
        if patent_type == "design":
            title, ipc = product, [f"LOC(15) {LOCARNO.get(topic.field, '10-04')}"]
            abstract = P.DESIGN_ABSTRACT.format(title=product, use=f"{TECHNICAL_FIELDS[topic.field][0]}领域相关场景")
        else:
            title = self.patent_title(org, topic, patent_type)
            ipc = list(topic.ipc[:rng.choice((1, 2, 2))])
            template = P.INVENTION_ABSTRACT if patent_type == "invention_patent" else P.UTILITY_ABSTRACT
            abstract = clip(template.format(title=title, principle=topic.principle) + fill(rng, topic.benefit) + "。",
                            150)
        meta = self.meta[org]
        record = {
            "number": self.number(filing.year, kind, legal != "pending"), "title": title, "abstract": abstract,
            "patent_type": patent_type, "ipc_codes": ipc, "applicant": org, "org": org, "owner": owner,
            "legal_status": legal, "filing_date": filing.isoformat(),
            "grant_date": grant.isoformat() if grant else None,
            "expiry_date": filing.replace(year=filing.year + term).isoformat(), "region": meta["region"],
            "status": "published" if rng.random() < 0.93 else rng.choice(("draft", "submitted")),
            "open_licence": None, "_field": topic.field,
        }
        self.patents.append(record)
        return record

    def open_licences(self, count: int = 40) -> None:
        rng = self.rng
        eligible = [p for p in self.patents if p["legal_status"] == "granted" and p["status"] == "published"
                    and p["patent_type"] != "design"]
        for patent in rng.sample(eligible, min(count, len(eligible))):
            entry, annual = rng.choice((2, 3, 5, 8, 10, 15, 20)), rng.choice((1, 1.5, 2, 3, 5, 8))
            template = rng.choice(P.LICENCE_FEES)
            terms = template.format(entry=entry, rate=rng.choice((1, 1.5, 2, 3, 5)), annual=annual,
                                    piece=rng.choice((2, 5, 10, 20)))
            industry = INDUSTRIES[rng.choice(self.topic_industries(patent))][0]
            scope = rng.choice(P.LICENCE_SCOPES).format(industry=industry, region=REGIONS[patent["region"]][0])
            patent["open_licence"] = {"fee_terms": terms, "annual_fee": float(annual) if "{annual}" in template
                                      else None, "term_years": rng.randint(1, 5), "scope": scope}

    def topic_industries(self, patent: dict) -> list[str]:
        topics = self.banks[patent["_field"]][0]
        for topic in topics:
            if topic.core in patent["title"]:
                return list(topic.industries)
        return list(topics[0].industries)

    # -- achievements ----------------------------------------------------------------------------------------
    def holder(self, field: str, avoid: set[str]) -> str:
        weights = {}
        for name, meta in self.meta.items():
            if meta["type"] in HOLDERS and field in meta["fields"] and name not in avoid:
                base = 0.9 if meta["type"] == "enterprise" else 3.0
                weights[name] = base * (1.8 if meta["region"] == "220000" else 1.0)
        if not weights:
            return self.holder(field, set())
        return _weighted_sample(self.rng, weights, 1)[0]

    def plan(self) -> list[tuple[Topic, str]]:
        plan = []
        for field, (topics, _notes, _products) in self.banks.items():
            count = MAJOR_PER_FIELD if len(topics) >= 20 else MINOR_PER_FIELD
            order = list(topics) + self.rng.sample(topics, count - len(topics))
            used: dict[str, set[str]] = {}
            for topic in order:
                org = self.holder(field, used.setdefault(topic.core, set()))
                used[topic.core].add(org)
                plan.append((topic, org))
        self.rng.shuffle(plan)
        return plan

    def title(self, topic: Topic) -> str:
        suffixes = P.PRODUCT_TITLE_SUFFIXES
        if topic_kind(topic) == "process":
            suffixes = P.TITLE_SUFFIXES + P.FIELD_TITLE_SUFFIXES.get(topic.field, [])
        for suffix in self.rng.sample(suffixes, len(suffixes)):
            if topic.core + suffix not in self.titles:
                self.titles.add(topic.core + suffix)
                return topic.core + suffix
        raise ValueError(f"no free title for {topic.core}")

    def ip_type(self, topic: Topic) -> str:
        if "新品种" in topic.core:
            return "plant_variety"
        weights = {"invention_patent": 62, "utility_model": 16, "know_how": 22}
        if topic.field in ("ai", "electronics"):
            weights = {"software_copyright": 45, "invention_patent": 45, "know_how": 10}
        return _weighted_sample(self.rng, weights, 1)[0]

    def achievement(self, index: int, topic: Topic, org: str) -> dict:
        rng, meta = self.rng, self.meta[org]
        owner = self.owner(org)
        industry = INDUSTRIES[topic.industries[0]][0]
        trl = _weighted_sample(rng, {"2": 2, "3": 6, "4": 14, "5": 18, "6": 22, "7": 20, "8": 13, "9": 5}, 1)[0]
        trl = max(int(trl), 6) if "新品种" in topic.core else int(trl)
        ip_type = self.ip_type(topic)
        numbers = []
        if ip_type in ("invention_patent", "utility_model") and rng.random() < 0.85:
            kinds = [ip_type] * rng.choice((1, 1, 1, 2, 2, 3))
            if len(kinds) > 1 and rng.random() < 0.4:
                kinds[-1] = "utility_model"
            numbers = [self.patent(org, owner, topic, kind, "granted" if rng.random() < 0.85 else "pending")
                       ["number"] for kind in kinds]
        metrics = [render_metric(rng, m) for m in topic.metrics]
        values = {"org": org.replace("有限公司", "").replace("股份", ""), "core": topic.core, "pain": topic.pain,
                  "principle": topic.principle, "app": topic.application, "industry": industry,
                  "m1": metrics[0], "m2": metrics[1]}
        summaries = [t.format(**values) for t in rng.sample(P.SUMMARIES, len(P.SUMMARIES))]
        summary = next((s for s in summaries if 80 <= len(s) <= 200), clip(summaries[0], 200))
        leader = self.person()
        modes = self.modes(meta["type"], "achievement")
        description = self.description(topic, meta, values, metrics, trl, ip_type, len(numbers), modes)
        team_word = {"university": "科研团队", "institute": "课题组", "enterprise": "研发中心"}[meta["type"]]
        team = fill(rng, rng.choice(P.TEAMS[meta["type"]]).replace("{n}", "{6~25}").replace("{k}", "{2~5}")
                    .replace("{j}", "{2~6}").replace("{name}", leader))
        benefits = fill(rng, topic.benefit) + "。"
        if rng.random() < 0.3:
            benefits += fill(rng, "按中等规模用户测算，投资回收期约{1.5~3.0}年。")
        published = rng.random() < 0.9
        price = None
        if rng.random() >= 0.3:
            low, high = (8, 80) if trl <= 4 else (20, 300) if trl <= 6 else (50, 1200)
            price = float(round(rng.uniform(low, high) / 5) * 5) if high > 80 else float(rng.randint(low, high))
        phone = f"{meta['area']}-{rng.choice('5689')}{rng.randrange(10 ** 6, 10 ** 7)}"
        keywords = [topic.keywords[0]] + rng.sample(topic.keywords[1:], rng.randint(2, len(topic.keywords) - 1))
        return {
            "external_id": f"DEMO-A-{index:04d}", "org": org, "owner": owner, "title": self.title(topic),
            "summary": summary, "description": description.replace("{team_word}", team_word),
            "keywords": keywords, "technical_field": topic.field,
            "industries": list(topic.industries[:rng.randint(1, min(3, len(topic.industries)))]),
            "trl": trl, "ip_type": ip_type,
            "transfer_modes": modes, "price_amount": price,
            "benefits": benefits, "team": team, "region": meta["region"],
            "contact": f"{leader[0]}{P.CONTACT_TITLES[meta['type']]} {phone}",
            "status": "published" if published else rng.choice(("draft", "submitted")),
            "published_year": int(_weighted_sample(rng, YEARS, 1)[0]) if published else None,
            "quality_year": None, "patent_numbers": numbers,
        }

    def description(self, topic, meta, values, metrics, trl, ip_type, patents, modes) -> str:
        rng = self.rng
        intro = rng.choice(P.INTROS).format(years=rng.randint(3, 10), team_word="{team_word}", **values)
        leads = [lead for lead in P.PRINCIPLE_LEADS if lead not in intro]
        lead = "本成果" if intro.endswith("，") else rng.choice(leads)
        parts = [intro + lead + topic.principle + "。",
                 rng.choice(P.METRIC_LEADS) + "；".join(metrics) + "。",
                 P.TRL_SENTENCES[trl].format(users=rng.randint(5, 60))]
        app = topic.application
        prefix = next((p for p in ("适用于", "可用于", "适宜") if app.startswith(p)), "可")
        verb = ("应用于" if prefix != "可" else "") + app[len(prefix):]
        parts.append(rng.choice(P.APP_LEADS).format(app=app, app_verb=verb,
                                                    output=rng.choice((1, 2, 3, 5, 10))))
        k = max(patents - rng.randint(0, 1), 1) if patents else 0
        parts.append(P.IP_SENTENCES[ip_type].format(n=max(patents, 1) + rng.randint(0, 2), k=max(k, 1)))
        notes = [n for n in self.banks[topic.field][1] if meta["region"] == "220000" or not LOCAL.search(n)]
        parts[3:3] = rng.sample(notes, min(2, len(notes)))
        words = "、".join(TRANSFER_MODES[m][0] for m in modes)
        parts.append(rng.choice(P.COOPERATION).format(modes=words))
        for extra in rng.sample(P.GENERIC_NOTES, len(P.GENERIC_NOTES)):
            if len("".join(parts)) >= 210:
                break
            parts.insert(-1, extra)
        return clip("".join(parts), 500)

    def modes(self, org_type: str, kind: str) -> list[str]:
        if kind == "demand":
            weights = {"joint_development": 35, "assignment": 20, "licence": 20, "service": 20, "equity": 5}
        elif org_type == "enterprise":
            weights = {"licence": 25, "service": 30, "joint_development": 25, "assignment": 15, "equity": 5}
        else:
            weights = {"licence": 30, "assignment": 25, "joint_development": 25, "equity": 10, "service": 10}
        k = self.rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
        chosen = _weighted_sample(self.rng, weights, k)
        return [m for m in ("assignment", "licence", "equity", "joint_development", "service") if m in chosen]

    def mark_quality(self, achievements: list[dict]) -> None:
        candidates = [a for a in achievements if a["status"] == "published" and a["trl"] >= 5]
        chosen = self.rng.sample(candidates, 60)
        for i, item in enumerate(chosen):
            item["quality_year"] = 2026 if i < 46 else 2025
            if item["quality_year"] == 2025 and item["published_year"] == 2026:
                item["published_year"] = 2025

    def standalone_patents(self) -> None:
        rng = self.rng
        holders = [o["name"] for o in self.orgs if o["org_type"] in HOLDERS]
        for i in range(18):
            org = rng.choice(holders)
            field = rng.choice(self.meta[org]["fields"])
            topics, _notes, products = self.banks[field]
            topic = rng.choice(topics)
            if i < 8:
                self.patent(org, self.owner(org), topic, "design", "granted", products[i % len(products)])
            else:
                kind = "utility_model" if i % 2 else "invention_patent"
                self.patent(org, self.owner(org), topic, kind, "expired" if i < 13 else "granted")

    # -- demands ---------------------------------------------------------------------------------------------
    def demands(self) -> list[dict]:
        rng = self.rng
        enterprises = [o["name"] for o in self.orgs if o["org_type"] == "enterprise"]
        slots = enterprises * 3 + [FIXED_USERS[5][2]] * 3
        slots += rng.sample(enterprises, DEMAND_COUNT - len(slots))
        used, titles, result = set(), set(), []
        for org in slots:
            meta = self.meta[org]
            field = rng.choice(meta["fields"])
            topic = rng.choice([t for t in self.banks[field][0] if (org, t.core) not in used])
            used.add((org, topic.core))
            result.append(self.demand(org, meta, topic, titles))
        return result

    def demand(self, org: str, meta: dict, topic: Topic, titles: set[str]) -> dict:
        rng = self.rng
        title = next(topic.need + s for s in rng.sample(P.DEMAND_SUFFIXES, len(P.DEMAND_SUFFIXES))
                     if topic.need + s not in titles)
        titles.add(title)
        extra = fill(rng, rng.choice(ENTERPRISE_EXTRAS))
        opening = rng.choice(P.DEMAND_OPENINGS).format(business=meta["business"], extra=extra)
        situation = rng.choice(P.DEMAND_SITUATIONS).format(year=2027, pain=topic.pain)
        impact = rng.choice(P.DEMAND_IMPACTS).format(loss=rng.choice((80, 150, 300, 500, 1000)),
                                                     rate=rng.randint(82, 93))
        ask = rng.choice(P.DEMAND_ASKS).format(need=topic.need)
        problem = f"{opening}{situation}{impact}{ask}"
        if len(problem) < 150:
            problem += f"希望合作方在{rng.choice((6, 9, 12, 18))}个月内完成小试和中试验证，并协助完成工业化应用。"
        indicators = [demand_metric(m) for m in topic.metrics] + [rng.choice(P.INDICATOR_TAILS)]
        budget_min = budget_max = None
        if rng.random() >= 0.15:
            budget_min = float(rng.choice((20, 30, 50, 80, 100, 150, 200, 300, 500)))
            budget_max = float(round(budget_min * rng.choice((1.5, 2, 2.5, 3))))
        trl_min = None if rng.random() < 0.25 else rng.choice((4, 5, 5, 6, 6, 7))
        keywords = [topic.keywords[0]] + rng.sample(topic.keywords[1:], rng.randint(2, min(4, len(topic.keywords) - 1)))
        return {
            "org": org, "owner": self.owner(org), "title": title, "problem": clip(problem, 400),
            "indicators": "\n".join(f"{i}. {text}" for i, text in enumerate(indicators, 1)),
            "keywords": keywords, "industry": topic.industries[0], "technical_field": topic.field,
            "budget_min": budget_min, "budget_max": budget_max,
            # next year: a demand's deadline may not be in the past (DemandInput), whenever the demo is loaded
            "deadline": date(date.today().year + 1, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            "region": meta["region"],
            "cooperation_modes": self.modes("enterprise", "demand"), "trl_min": trl_min,
            "status": "published" if rng.random() < 0.9 else rng.choice(("draft", "submitted")),
        }


def demo_dataset(seed: int = 2026) -> dict[str, list[dict]]:
    """The demo dataset for ``seed``: ``{"organizations", "users", "patents", "achievements", "demands",
    "challenges", "deals"}``."""
    builder = _Builder(seed)
    builder.organizations()
    builder.user_list()
    achievements = [builder.achievement(i, topic, org) for i, (topic, org) in enumerate(builder.plan(), 1)]
    builder.mark_quality(achievements)
    builder.standalone_patents()
    builder.open_licences()
    demands = builder.demands()
    patents = [{k: v for k, v in p.items() if not k.startswith("_")} for p in builder.patents]
    from .challenges import SCENARIOS  # 揭榜挂帅 at every stage (run through the services by the loader)
    from .deals import PLAN  # inquiries, contracts over four years, pipeline, licences (run by the loader)

    return {"organizations": builder.orgs, "users": builder.users, "patents": patents,
            "achievements": achievements, "demands": demands, "challenges": SCENARIOS, "deals": PLAN}
