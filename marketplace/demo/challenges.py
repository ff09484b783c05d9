"""揭榜挂帅 demo challenges: one 榜单 at every stage, so a new user sees the lifecycle at work on ``make run``.

Each scenario is driven through the real services (drafting, review and publication, registration and submission,
rubric, reviewers and scores, ranking, award, agreements and signing, delivery, milestones, the 赛马 checkpoint,
acceptance, cancellation), exactly as the pages would, so every step is validated, audited and in the search
outbox. The services only accept what is possible *today* (an application deadline not yet passed, signatures not
in the future), so a finished challenge is run today and then its dates are moved into the past (``_age``), as the
demo loader does for historical listings.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from ..challenges import applications as apps
from ..challenges import delivery, horse_race, reviews, services
from ..challenges import experts as expert_profiles
from ..challenges.models import Challenge
from ..extensions import db
from ..review import services as review

SCENARIOS: list[dict] = [
    {"key": "open", "org": "长春鼎元汽车零部件有限公司", "stage": "open", "days_left": 24,
     "title": "新能源汽车一体化压铸后底板免热处理铝合金揭榜攻关", "field": "new_materials", "industry": "automotive",
     "reward": "600", "mode": "milestone",
     "problem": "一体化压铸后底板尺寸大、壁厚不均，现有铝合金需热处理才能达到强度要求，热处理变形导致尺寸超差。"
                "诚邀高校和科研院所揭榜攻关免热处理高强韧压铸铝合金及其压铸工艺。",
     "indicators": [("屈服强度", "≥130", "MPa"), ("延伸率", "≥10", "%"), ("尺寸偏差", "≤1.0", "mm")],
     "applicants": [("长白山理工大学", "submitted"), ("江南材料科技大学", "interested")], "reason": None},
    {"key": "closing", "org": "吉林省科学技术厅（演示）", "stage": "open", "days_left": 5,
     "title": "玉米秸秆高值化利用关键技术揭榜挂帅项目", "field": "agriculture", "industry": "agriculture",
     "reward": "300", "mode": "award",
     "problem": "全省每年产生玉米秸秆三千余万吨，还田和燃料化利用附加值低。需要秸秆组分高效分离及高值产品制备技术，"
                "形成可推广的示范线。",
     "indicators": [("纤维素回收率", "≥85", "%"), ("示范线处理能力", "≥1", "万吨/年")],
     "applicants": [("松辽农业大学", "submitted"), ("查干湖生态环境研究院", "submitted")], "reason": None},
    {"key": "reviewing", "org": "吉林华澜化工股份有限公司", "days_left": None, "stage": "reviewing",
     "title": "高端聚烯烃催化剂国产化揭榜攻关", "field": "chemicals", "industry": "chemical", "reward": "450",
     "mode": "award",
     "problem": "茂金属聚烯烃催化剂长期依赖进口，需开发活性和共聚性能达到进口水平的国产催化剂并完成工业试验。",
     "indicators": [("催化活性", "≥5000", "kg/(mol·h)"), ("共聚单体插入率", "≥8", "%")],
     "applicants": [("北方应用化学研究院", "submitted"), ("伊通河工业大学", "submitted"),
                    ("齐鲁海洋化工研究院", "submitted")], "reason": None},
    {"key": "awarded", "org": "通化百草生物制药有限公司", "days_left": None, "stage": "awarded",
     "title": "人参皂苷Rg3高效生物转化制备技术揭榜", "field": "biomedicine", "industry": "pharma", "reward": "200",
     "mode": "award",
     "problem": "稀有人参皂苷Rg3含量极低，化学法转化收率低、污染重。需要酶法或微生物转化工艺并完成百公斤级中试。",
     "indicators": [("转化率", "≥60", "%"), ("产品纯度", "≥95", "%")],
     "applicants": [("长白山中药资源研究所", "winner"), ("吉东医科大学", "submitted")], "reason": None},
    {"key": "horse_race", "org": "长春市科学技术局（演示）", "days_left": None, "stage": "horse_race",
     "title": "车规级激光雷达核心光学器件赛马攻关", "field": "optoelectronics", "industry": "automotive",
     "reward": "900", "mode": "horse_race",
     "problem": "车规级激光雷达的光学窗口和扫描器件依赖进口，成本高。采用赛马制同时支持三支团队攻关，"
                "按阶段目标评估，末位淘汰，资金向领先团队集中。",
     "indicators": [("探测距离（10%反射率）", "≥200", "m"), ("器件成本", "≤800", "元/套")],
     "applicants": [("净月光电技术研究院", "winner"), ("荆楚光电技术研究院", "winner"), ("岭南信息工程大学", "winner")], "reason": None},
    {"key": "returned", "org": "四平恒力装备制造有限公司", "days_left": None, "stage": "returned",
     "title": "高效紧凑型板壳式换热器设计与制造技术揭榜", "field": "equipment", "industry": "manufacturing",
     "reward": "250", "mode": "milestone",
     "problem": "现有管壳式换热器体积大、换热效率低，需要板壳式换热器的结构设计、焊接工艺和型式试验全套技术。",
     "indicators": [("传热系数提升", "≥30", "%"), ("设计压力", "≥4.0", "MPa")],
     "applicants": [("辽河工业大学", "winner"), ("长白山理工大学", "submitted")], "reason": None},
    {"key": "failed", "org": "松原新能源科技有限公司", "days_left": None, "stage": "failed",
     "title": "碱性电解水制氢低能耗电极揭榜攻关", "field": "new_energy", "industry": "energy", "reward": "350",
     "mode": "milestone",
     "problem": "风光制氢项目的碱性电解槽直流电耗偏高，需开发低过电位电极并在兆瓦级电解槽上验证。",
     "indicators": [("直流电耗", "≤4.2", "kWh/Nm³"), ("电极寿命", "≥30000", "h")],
     "applicants": [("松花湖新材料研究院", "winner"), ("伊通河工业大学", "submitted")], "reason": None},
    {"key": "accepted", "org": "长春瑞康医疗器械有限公司", "days_left": None, "stage": "accepted",
     "title": "便携式超声影像AI辅助诊断系统揭榜", "field": "medical_devices", "industry": "medical",
     "reward": "180", "mode": "award",
     "problem": "基层医疗机构超声医生不足，需要在便携超声设备上运行的甲状腺结节AI辅助诊断算法并完成临床验证。",
     "indicators": [("敏感度", "≥90", "%"), ("单帧推理时间", "≤100", "ms")],
     "applicants": [("京华智能科学研究院", "winner"), ("吉东医科大学", "submitted")], "reason": None},
    {"key": "cancelled", "org": "吉林天衡智能科技有限公司", "days_left": None, "stage": "cancelled",
     "title": "工业园区能耗数字孪生平台揭榜", "field": "ai", "industry": "energy", "reward": "120", "mode": "post_hoc",
     "problem": "需要面向工业园区的能耗监测与优化调度数字孪生平台。",
     "indicators": [("节能率", "≥8", "%")], "applicants": [("岭南信息工程大学", "submitted")],
     "reason": "企业调整技术路线，改为与园区管委会联合立项，本榜单撤榜；已报名单位的材料不再评审。"},
]
RUBRIC = {"criteria": [{"name": "技术先进性", "weight": "40", "min": 0, "max": 100},
                       {"name": "方案可行性", "weight": "40", "min": 0, "max": 100},
                       {"name": "团队能力", "weight": "20", "min": 0, "max": 100}]}
PLEDGE = ("承担单位承诺按期完成榜单全部技术指标；未通过验收的，退回未使用的资助资金，三年内不得承担本领域揭榜任务。"
          "发榜单位承诺按里程碑及时拨付资金并提供试验条件。")


class ChallengeDemo:
    """Runs :data:`SCENARIOS` for a :class:`marketplace.demo.loader.DemoLoader` (its organisations and users)."""

    def __init__(self, loader, scenarios: list[dict]):
        self.loader = loader
        self.scenarios = scenarios
        self.today = date.today()
        users = list(loader.users.values())
        self.broker = next(u for u in users if u.platform_role == "broker")
        self.admins = {}
        for user in users:
            if user.org_id is not None and (user.org_id not in self.admins or user.membership.role == "org_admin"):
                self.admins[user.org_id] = user

    def member(self, org_name: str):
        return self.admins[self.loader.orgs[org_name].id]

    def experts(self, challenge: Challenge, count: int = 2) -> list:
        """Reviewers from universities and institutes with no stake in the challenge (recusal rule)."""
        involved = {challenge.org_id, *(a.org_id for a in challenge.applications)}
        for application in challenge.applications:
            involved.update(application.consortium_org_ids or [])
        chosen = [u for org_id, u in sorted(self.admins.items()) if org_id not in involved
                  and u.organization.org_type in ("university", "institute")][:count]
        for user in chosen:  # 评审专家库: an active profile in the challenge's field
            profile = expert_profiles.profile_of(user)
            if profile is None:
                expert_profiles.set_expert_profile(self.broker, user, {
                    "title": "研究员", "organisation": user.organization.name,
                    "fields": [challenge.technical_field], "active": True})
            elif not profile.active or challenge.technical_field not in profile.fields:
                expert_profiles.set_expert_profile(self.broker, user, {
                    "title": profile.title, "organisation": profile.organisation, "expertise": profile.expertise,
                    "fields": list(dict.fromkeys([challenge.technical_field, *profile.fields]))[:5], "active": True})
        return chosen

    def run(self) -> dict[str, int]:
        existing = set(db.session.execute(db.select(Challenge.org_id, Challenge.title)).all())
        counts = {"created": 0, "skipped": 0}
        for scenario in self.scenarios:
            org = self.loader.orgs.get(scenario["org"])
            if org is None or (org.id, scenario["title"]) in existing:
                counts["skipped"] += 1
                continue
            self.scenario(scenario)
            counts["created"] += 1
        return counts

    # -- the steps ---------------------------------------------------------------------------------------------
    def publish(self, s: dict) -> Challenge:
        issuer = self.member(s["org"])
        horse = s["mode"] == "horse_race"
        data = {"title": s["title"], "problem": s["problem"], "technical_field": s["field"], "industry": s["industry"],
                "background": f"{s['org']}面向产业一线的真实需求，经专家论证后发榜。",
                "indicators": [{"metric": m, "target": t, "unit": u, "verification": "第三方检测或现场测试"}
                               for m, t, u in s["indicators"]],
                "reward_amount": s["reward"], "cofunding_share": "30", "funding_mode": s["mode"],
                "max_winners": 3 if horse else 1,
                "application_deadline": (self.today + timedelta(days=s["days_left"] or 20)).isoformat(),
                "completion_deadline": (self.today + timedelta(days=540)).isoformat(),
                "eligible_org_types": ["university", "institute"], "consortium": "allowed",
                "ip_terms": "攻关形成的知识产权归双方共有，发榜单位享有优先实施权。",
                "confidentiality": "揭榜方案仅发榜单位、评审专家和平台工作人员可见。",
                "contact": f"{issuer.name} 0431-8866{self.scenarios.index(s) + 1:04d}",
                "region": self.loader.orgs[s["org"]].region}
        challenge = services.create_challenge(issuer, data)
        review.submit(issuer, challenge)
        review.publish(self.broker, challenge)
        return challenge

    def applications(self, s: dict, challenge: Challenge) -> list:
        result = []
        for org_name, status in s["applicants"]:
            lead = self.member(org_name)
            application = apps.register_interest(lead, challenge)
            if status != "interested":
                apps.update_application(lead, application, {
                    "proposal": f"{org_name}针对“{s['title']}”的揭榜方案：基于已有研究基础，分三个阶段完成攻关。",
                    "technical_route": "机理研究 → 小试验证 → 中试放大 → 现场验证", "budget": str(s["reward"])})
                apps.submit_application(lead, application)
            result.append((application, status))
        return result

    def review_and_award(self, s: dict, challenge: Challenge, applications: list, complete: bool = True) -> list:
        issuer = self.member(s["org"])
        reviews.set_rubric(self.broker, challenge, RUBRIC)
        services.close_applications(issuer, challenge)
        submitted = [a for a, status in applications if status != "interested"]
        experts = self.experts(challenge)
        for rank, application in enumerate(submitted):
            winner = dict(s["applicants"])[application.organization.name] == "winner"
            for number, expert in enumerate(experts):
                task = reviews.assign_reviewer(self.broker, application, expert)
                if not complete and rank == len(submitted) - 1 and number == len(experts) - 1:
                    continue  # 评审中: the last review is still out
                base = 88 if winner else 72 - 4 * rank
                reviews.submit_review(expert, task, {"技术先进性": base + number, "方案可行性": base - 2,
                                                     "团队能力": base + 3})
        if not complete:
            return []
        reviews.rank(challenge, issuer)
        winners = [a for a in submitted if dict(s["applicants"])[a.organization.name] == "winner"]
        services.award(issuer, challenge, [a.id for a in winners])
        return winners

    def sign(self, s: dict, challenge: Challenge, winners: list, funding: Decimal) -> None:
        issuer = self.member(s["org"])
        deadline = challenge.completion_deadline
        for application in winners:
            halves = (funding * Decimal("0.4")).quantize(Decimal("0.01"))
            agreement = delivery.draft_agreement(issuer, application, {
                "funding": str(funding), "pledge": PLEDGE,
                "milestones": [
                    {"deliverable": "阶段一：关键材料与样件，提交检测报告", "due_on": (self.today + timedelta(days=90)).isoformat(),
                     "tranche": str(halves), "criteria": "第三方检测报告", "indicator_refs": [0],
                     "checkpoint": s["mode"] == "horse_race"},
                    {"deliverable": "阶段二：中试验证与全部指标测试", "due_on": (deadline - timedelta(days=30)).isoformat(),
                     "tranche": str(funding - halves), "criteria": "现场测试与验收报告",
                     "indicator_refs": list(range(len(s["indicators"])))}]})
            delivery.sign_agreement(issuer, agreement, self.today, self.today)
        services.start_delivery(issuer, challenge)

    def scenario(self, s: dict) -> None:
        challenge = self.publish(s)
        applications = self.applications(s, challenge)
        issuer = self.member(s["org"])
        stage = s["stage"]
        if stage == "open":
            return
        if stage == "cancelled":
            services.cancel(issuer, challenge, s["reason"])
            return self._age(challenge, 120)
        if stage == "reviewing":
            self.review_and_award(s, challenge, applications, complete=False)
            return self._age(challenge, 20)
        winners = self.review_and_award(s, challenge, applications)
        if stage == "awarded":
            return self._age(challenge, 45)
        reward = Decimal(s["reward"])
        self.sign(s, challenge, winners, (reward / len(winners)).quantize(Decimal("0.01")))
        first = [a.agreement.milestones[0] for a in winners]
        for application, milestone in zip(winners, first):
            delivery.submit_evidence(self.member(application.organization.name), milestone,
                                     "阶段一样件检测报告（第三方检测机构出具）及测试数据。")
        if stage == "returned":
            delivery.return_milestone(issuer, first[0], "检测报告缺少尺寸偏差项，且样件数量不足三件，请补充后重新提交。")
            return self._age(challenge, 200)
        if stage == "horse_race":
            for milestone in first:
                delivery.accept_milestone(issuer, milestone)
                delivery.record_payment(issuer, milestone, milestone.tranche, self.today)
            last = winners[-1]
            horse_race.checkpoint(issuer, challenge, [
                {"application_id": a.id, "passed": a is not last,
                 "reason": "阶段评估：探测距离仅达到 120 m，落后于阶段目标 150 m，予以淘汰。" if a is last else None}
                for a in winners])
            return self._age(challenge, 240)
        for application in winners:  # accepted / failed: every milestone through, then 验收
            for milestone in application.agreement.milestones:
                if milestone.status == "planned":
                    delivery.submit_evidence(self.member(application.organization.name), milestone,
                                             "中试验证报告与全部指标测试数据。")
                delivery.accept_milestone(issuer, milestone)
                delivery.record_payment(issuer, milestone, milestone.tranche, self.today)
        met = stage == "accepted"
        results = [{"met": met or index == 0, "measured": "达到目标值" if met or index == 0 else "4.5 kWh/Nm³",
                    "evidence": "验收专家组现场测试报告"} for index in range(len(s["indicators"]))]
        if met:
            services.conclude(issuer, challenge, "accept", results, reward_paid=Decimal(s["reward"]))
        else:
            services.conclude(issuer, challenge, "fail", results,
                              reason="直流电耗实测 4.5 kWh/Nm³，未达到 ≤4.2 的指标；电极寿命试验未完成。")
        self._age(challenge, 600)

    # -- dates ---------------------------------------------------------------------------------------------------
    def _age(self, challenge: Challenge, days: int) -> None:
        """Move a finished step's dates ``days`` into the past (the services only run today): publication,
        the application deadline, the stage change, and the agreements' and milestones' dates with them."""
        shift = timedelta(days=days)
        challenge.published_at = (challenge.published_at or datetime.now()) - shift
        challenge.submitted_at = challenge.published_at - timedelta(days=3)
        challenge.created_at = challenge.submitted_at - timedelta(days=5)
        challenge.application_deadline = self.today - shift + timedelta(days=30)
        challenge.completion_deadline = challenge.completion_deadline - shift
        if challenge.application_deadline >= self.today:
            challenge.application_deadline = self.today - timedelta(days=1)
        challenge.stage_changed_at = datetime.now() - timedelta(days=max(1, days // 10))
        for application in challenge.applications:
            application.terms_accepted_at = challenge.published_at + timedelta(days=4)
            application.created_at = application.terms_accepted_at
            if application.submitted_at is not None:
                application.submitted_at = challenge.published_at + timedelta(days=20)
            agreement = application.agreement
            if agreement is None:
                continue
            signed = challenge.application_deadline + timedelta(days=30)
            if agreement.issuer_signed_on is not None:
                agreement.issuer_signed_on = agreement.team_signed_on = signed
            for milestone in agreement.milestones:
                milestone.due_on = milestone.due_on - shift
                if milestone.paid_on is not None:
                    milestone.paid_on = min(milestone.due_on + timedelta(days=10), self.today)


def load_challenges(loader, scenarios: list[dict]) -> dict[str, int]:
    """Create the demo challenges of ``scenarios`` (the dataset's ``"challenges"``, see :data:`SCENARIOS`) that are
    not there yet (by organisation and title)."""
    return ChallengeDemo(loader, scenarios).run()
