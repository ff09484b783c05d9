"""Every notification and e-mail the platform sends is written in its recipient's language: an English-speaking
user (``User.locale = "en"``) whose organisations and listings have ASCII-only data receives titles, bodies, e-mail
subjects and e-mail texts without a CJK character, for each kind of notice — review outcomes, organisation
verification, inquiries, 揭榜挂帅 steps, open licences, recommendations, saved-search and followed-demand alerts,
password reset and address verification; a Chinese-speaking user (no locale chosen) receives today's Chinese
text. The notices are triggered through the real services and mailed through the real mail queue (a real SMTP
server on a loopback port). Choosing English or 中文 on the site while signed in becomes the account's language."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from marketplace.accounts import email_verification, password_reset
from marketplace.accounts.models import User
from marketplace.admin import services as admin
from marketplace.alerts import delivery
from marketplace.alerts import services as alerts
from marketplace.alerts.messages import Message, render_for
from marketplace.alerts.models import Notification
from marketplace.challenges import delivery as challenge_delivery
from marketplace.challenges import experts, overdue as challenge_overdue
from marketplace.challenges import services as challenges
from marketplace.deals import licensing
from marketplace.extensions import db
from marketplace.inquiries import overdue as inquiry_overdue
from marketplace.inquiries import services as inquiries
from marketplace.matching import services as matching
from marketplace.patents import services as patents
from marketplace.review import services as review
from tests import factories as f
from tests.alerts.smtp_server import SmtpServer
from tests.challenges.delivery_helpers import agreement_data, apply_and_review, score_all
from tests.challenges.helpers import challenge_data
from tests.deals.licence_helpers import credit_code
from tests.matching.conftest import index_all
from tests.web.helpers import csrf_from, login

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
LOCALES = {"en": "en", "zh": None}  # the test's language -> User.locale (Chinese: never chose, as today)

ACHIEVEMENT = {"title": "Perovskite solar cell encapsulation",
               "summary": "Perovskite solar modules sealed against moisture with an atomic layer barrier film.",
               "keywords": ["perovskite", "encapsulation", "solar"], "technical_field": "new_energy",
               "industries": ["energy"], "trl": 6, "price_amount": "120"}
DEMAND = {"title": "Perovskite module encapsulation wanted",
          "problem": "We need perovskite solar modules that survive damp heat; encapsulation partners wanted.",
          "indicators": "damp heat 1000 h", "industry": "energy", "technical_field": "new_energy",
          "budget_min": "50", "budget_max": "200"}


@pytest.fixture
def smtp(app, monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        monkeypatch.setitem(app.config, "PUBLIC_URL", "https://market.example.org")
        yield server


@pytest.fixture(params=sorted(LOCALES))
def language(request):
    return request.param


class People:
    """Users created with ASCII names and their organisations, all reading ``language``."""

    def __init__(self, language: str):
        self.locale = LOCALES[language]
        self.count = 0

    def org(self, org_type: str = "university", name: str | None = None):
        self.count += 1
        org = f.organization(org_type, name=name or f"Org {self.count} {org_type.title()}")
        org.credit_code = credit_code()
        return org

    def user(self, org=None, **kwargs) -> User:
        self.count += 1
        user = f.user(org, email=f"reader{self.count}@example.org", **kwargs)
        user.locale = self.locale
        return user

    def broker(self) -> User:
        return self.user(self.org("broker_agency", "Jilin Technology Transfer Centre"), platform_role="broker")

    def admin(self) -> User:
        return self.user(self.org("government", "Provincial Science Department"), platform_role="admin")


def _notes(*categories: str) -> list[Notification]:
    query = db.select(Notification).order_by(Notification.id)
    if categories:
        query = query.where(Notification.category.in_(categories))
    return list(db.session.execute(query).scalars())


def _mailed(smtp, expected: int) -> list:
    """Deliver the queue (the mail sender's real path) and return the messages the server received."""
    report = delivery.deliver()
    assert report.sent == expected and not report.failed, report
    received = smtp.wait_for(expected)
    assert len(received) == expected
    return received


def _check(language: str, smtp, chinese: list[str], *categories: str) -> list[Notification]:
    """Every notification of ``categories`` (all when none) and every e-mail: no CJK character in English;
    each of the ``chinese`` titles among today's Chinese ones."""
    db.session.commit()
    notes = _notes(*categories)
    assert notes, "no notification"
    texts = [(f"notification {n.id} title", n.title) for n in notes]
    texts += [(f"notification {n.id} body", n.body) for n in notes if n.body]
    queued = db.session.execute(db.select(db.func.count()).select_from(Notification).where(
        Notification.email_state == "queued")).scalar_one()
    for mail in _mailed(smtp, queued):
        texts += [("e-mail subject", mail.subject), ("e-mail body", mail.body)]
    if language == "en":
        offending = [(where, text) for where, text in texts if CJK.search(text)]
        assert not offending, offending
    else:
        titles = [n.title for n in notes]
        missing = [title for title in chinese if title not in titles]
        assert not missing, (missing, titles)
        assert any(t.startswith("【科技成果转化交易平台】") for w, t in texts if w == "e-mail subject")
    return notes


# -- listings: review outcomes, recommendations, alerts -----------------------------------------------------------

def test_review_outcomes(ctx, smtp, language):
    p = People(language)
    broker = p.broker()
    owner = p.user(p.org("university"), role="org_admin")
    record = f.achievement(owner, publish_by=broker, **ACHIEVEMENT)
    demand = f.demand(owner, **DEMAND)
    review.submit(owner, demand)
    review.reject(broker, demand, "Please state the module size")
    patent = f.patent(owner, title="Barrier film for perovskite modules")
    review.submit(owner, patent)
    review.publish(broker, patent)
    notes = _check(language, smtp, ["您的科技成果「Perovskite solar cell encapsulation」已审核通过并发布",
                                    "您的技术需求「Perovskite module encapsulation wanted」被退回修改",
                                    "您的专利「Barrier film for perovskite modules」已审核通过并发布"], "review")
    assert len(notes) == 3 and record.id in {n.subject_id for n in notes}
    rejected = next(n for n in notes if n.subject_type == "demand")
    assert "Please state the module size" in rejected.body  # the reviewer's words as written
    if language == "en":
        assert rejected.title == "Your technology demand “Perovskite module encapsulation wanted” was returned " \
                                 "for revision"
        assert rejected.body == "Reason: Please state the module size"
    else:
        assert rejected.body == "退回原因：Please state the module size"


def test_recommendation(ctx, smtp, language, search_engine):
    p = People(language)
    broker = p.broker()
    holder = p.user(p.org("university"))
    asker = p.user(p.org("enterprise"))
    record = f.achievement(holder, publish_by=broker, **ACHIEVEMENT)
    demand = f.demand(asker, publish_by=broker, **DEMAND)
    db.session.commit()
    index_all()
    matching.recommend(broker, demand, "achievement", record.id, note="A good fit for your pilot line")
    notes = _check(language, smtp, [
        "技术经纪人为您的需求「Perovskite module encapsulation wanted」推荐了科技成果「Perovskite solar cell encapsulation」",
        "技术经纪人把您的科技成果「Perovskite solar cell encapsulation」推荐给需求「Perovskite module encapsulation wanted」"],
        "recommendation")
    assert len(notes) == 2
    assert all(n.body.startswith("· ") and "A good fit for your pilot line" in n.body for n in notes)
    if language == "zh":
        assert all("\n经纪人说明：A good fit for your pilot line" in n.body for n in notes)
    else:
        assert all("\nBroker's note: A good fit for your pilot line" in n.body for n in notes)


def test_saved_search_and_followed_demand_alerts(ctx, smtp, language, search_engine):
    p = People(language)
    broker = p.broker()
    holder = p.user(p.org("university"))
    investor = p.user(p.org("investor"))
    asker = p.user(p.org("enterprise"))
    demand = f.demand(asker, publish_by=broker, **DEMAND)
    db.session.commit()
    index_all()
    alerts.save_search(investor, "perovskite", name="Perovskite watch", email=True)
    alerts.save_search(investor, "perovskite", email=True, kind="challenge")
    alerts.follow_demand(asker, demand)
    db.session.commit()
    f.achievement(holder, publish_by=broker, **ACHIEVEMENT)
    challenge = challenges.create_challenge(asker, challenge_data(
        title="Perovskite encapsulation challenge", background="Perovskite modules fail in damp heat.",
        problem="An encapsulation that keeps perovskite modules stable.", contact="Ms Li 0431-88888888",
        indicators=[{"metric": "damp heat", "target": ">=1000", "unit": "h", "verification": "lab test"}]))
    review.submit(asker, challenge)
    review.publish(broker, challenge)
    db.session.commit()
    index_all()
    notes = _check(language, smtp, ["新成果符合您的订阅「Perovskite watch」",
                                    "有新的揭榜挂帅榜单符合您的订阅：Perovskite encapsulation challenge",
                                    "您关注的需求「Perovskite module encapsulation wanted」有新的匹配成果"], "alert")
    assert len(notes) == 3
    followed = next(n for n in notes if n.user_id == asker.id)
    assert followed.body.startswith("Perovskite solar cell encapsulation\n· ")  # the record's title, then reasons


# -- organisations -------------------------------------------------------------------------------------------------

def test_organisation_verification(ctx, smtp, language):
    p = People(language)
    platform_admin = p.admin()
    orgs = {}
    for action in ("verify", "reject", "suspend"):
        org = p.org("enterprise", f"Acme {action.title()} Ltd")
        org.status = "pending"
        p.user(org, role="org_admin")
        orgs[action] = org
    db.session.flush()
    admin.verify_organization(platform_admin, orgs["verify"], {})
    admin.decide_organization(platform_admin, orgs["reject"], "reject", "The credit code does not match")
    admin.verify_organization(platform_admin, orgs["suspend"], {})
    admin.decide_organization(platform_admin, orgs["suspend"], "suspend", "Duplicate of another organisation")
    admin.decide_organization(platform_admin, orgs["suspend"], "restore")
    notes = _check(language, smtp, [
        "您的机构「Acme Verify Ltd」已通过平台认证：机构已出现在公开名录中，提交的成果审核通过后即可发布",
        "您的机构「Acme Reject Ltd」未通过平台认证", "您的机构「Acme Suspend Ltd」已被平台暂停：已发布的成果、专利、需求和榜单暂不对外公开",
        "您的机构「Acme Suspend Ltd」已恢复正常：已发布的记录重新公开"], "organization")
    assert len(notes) == 5


# -- inquiries -----------------------------------------------------------------------------------------------------

def test_inquiry_notices(ctx, smtp, language):
    p = People(language)
    broker = p.broker()
    p.admin()
    university = p.org("university", "North University")
    holder = p.user(university)
    asker = p.user(p.org("enterprise", "Acme Ltd"))
    record = f.achievement(holder, publish_by=broker, **ACHIEVEMENT)
    patent = f.patent(holder, title="Barrier film for perovskite modules")
    review.submit(holder, patent)
    review.publish(broker, patent)
    demand = f.demand(asker, publish_by=broker, **DEMAND)
    ask = {"message": "We would like to license this.", "cooperation_mode": "licence", "budget": "80"}
    answered = inquiries.send_inquiry(asker, {"subject_kind": "achievement", "subject_id": record.id, **ask})
    inquiries.post_message(asker, answered, "Is a pilot run possible?")
    inquiries.post_message(holder, answered, "Yes, next month.")
    declined = inquiries.send_inquiry(asker, {"subject_kind": "patent", "subject_id": patent.id, **ask})
    inquiries.decline_inquiry(holder, declined, "capacity", "Our line is booked this year")
    inquiries.close_inquiry(holder, answered)
    late = inquiries.send_inquiry(holder, {"subject_kind": "demand", "subject_id": demand.id, **ask})
    late.created_at -= timedelta(days=30)
    db.session.commit()
    assert inquiry_overdue.flag_overdue() == 1
    notes = _check(language, smtp, [
        "「Acme Ltd」就「Perovskite solar cell encapsulation」发起洽谈",
        "洽谈「Perovskite solar cell encapsulation」有新消息",
        "「North University」回复了您关于「Perovskite solar cell encapsulation」的洽谈",
        "「North University」婉拒了您关于「Barrier film for perovskite modules」的洽谈",
        "关于「Perovskite solar cell encapsulation」的洽谈已结束",
        "洽谈超时未回复：「Perovskite module encapsulation wanted」"], "inquiry")
    refusal = next(n for n in notes if n.subject_id == declined.id and n.user_id == asker.id)
    flagged = next(n for n in notes if n.user_id == broker.id and n.subject_id == late.id and n.body
                   and "encapsulation wanted" in n.title and n.body != ask["message"])
    if language == "zh":
        assert refusal.body == "婉拒原因：目前无力承接\n说明：Our line is booked this year"
        assert re.fullmatch("「North University」向「Acme Ltd」发起的洽谈已超过 [0-9]+ 天未获回复，请跟进。", flagged.body)
    else:
        assert refusal.body == "Reason: No capacity at present\nNote: Our line is booked this year"
        assert re.fullmatch("The inquiry from “North University” to “Acme Ltd” has had no reply for more than [0-9]+ "
                            "days. Please follow up.", flagged.body)


# -- 揭榜挂帅 -------------------------------------------------------------------------------------------------------

def test_challenge_notices(ctx, smtp, language):
    p = People(language)
    broker = p.broker()
    issuer = p.user(p.org("enterprise", "Acme Ltd"))
    challenge = challenges.create_challenge(issuer, challenge_data(
        title="Solid electrolyte challenge", background="Liquid cells are at their limit.",
        problem="A solid electrolyte.", contact="Ms Li 0431-88888888"))
    review.submit(issuer, challenge)
    review.publish(broker, challenge)
    reviewer = p.user(p.org("institute"))
    experts.set_expert_profile(broker, reviewer, {"fields": [challenge.technical_field], "active": True})
    team = p.user(p.org("university", "North University"))
    application = apply_and_review(challenge, team, reviewer)
    challenges.close_applications(issuer, challenge)
    score_all(challenge, reviewer)
    challenges.award(issuer, challenge, [application.id])
    data = agreement_data()
    for index, milestone in enumerate(data["milestones"]):
        milestone["deliverable"], milestone["criteria"] = f"Stage {index + 1} samples", "Lab report"
    data["pledge"] = "We deliver every indicator or return the funds."
    agreement = challenge_delivery.draft_agreement(issuer, application, data)
    challenge_delivery.sign_agreement(issuer, agreement, date.today(), date.today())
    challenges.start_delivery(issuer, challenge)
    first, second = agreement.milestones
    challenge_delivery.submit_evidence(team, first, "Lab report no. 1")
    challenge_delivery.return_milestone(issuer, first, "Conductivity below target")
    challenge_delivery.submit_evidence(team, first, "Lab report no. 2")
    challenge_delivery.accept_milestone(issuer, first)
    db.session.commit()
    assert challenge_overdue.flag_overdue(second.due_on + timedelta(days=1)) == 1
    challenges.conclude(issuer, challenge, "terminate", reason="The team left the project")
    notes = _check(language, smtp, [
        "榜单「Solid electrolyte challenge」收到新的揭榜申请", "榜单「Solid electrolyte challenge」已截止征集，进入评审",
        "恭喜，您的揭榜申请成功：「Solid electrolyte challenge」",
        "榜单「Solid electrolyte challenge」的揭榜协议（军令状）已签订", "榜单「Solid electrolyte challenge」进入攻关实施阶段",
        "「Solid electrolyte challenge」里程碑 1 已提交材料，请验收", "「Solid electrolyte challenge」里程碑 1 被退回",
        "「Solid electrolyte challenge」里程碑 1 已通过", "里程碑逾期：Solid electrolyte challenge · 第 2 个里程碑",
        "榜单「Solid electrolyte challenge」已终止"], "challenge")
    assert any(n.body == "Conductivity below target" for n in notes)


# -- open licences -------------------------------------------------------------------------------------------------

def test_licence_taken_and_ended(ctx, smtp, language):
    p = People(language)
    broker = p.broker()
    patentee = p.user(p.org("university", "North University"))
    licensee = p.user(p.org("enterprise", "Acme Ltd"))
    patent = f.patent(patentee, title="Barrier film for perovskite modules", ipc_codes=["H01M 4/36"],
                      expiry_date=(date.today() + timedelta(days=365 * 12)).isoformat(), filing_date="2021-01-15")
    review.submit(patentee, patent)
    review.publish(broker, patent)
    patents.declare_open_licence(patentee, patent, {"fee_terms": "CNY 50k a year", "annual_fee": "5",
                                                    "term_years": 3, "scope": "Mainland China"})
    db.session.commit()
    licence = licensing.take_licence(licensee, patent, {"confirm": True})
    licensing.end_licence(patentee, licence)
    notes = _check(language, smtp, [
        "「Acme Ltd」已依开放许可取得专利「Barrier film for perovskite modules」的实施许可",
        "专利「Barrier film for perovskite modules」对「Acme Ltd」的实施许可已终止"], "system")
    taken = next(n for n in notes if n.user_id == patentee.id)
    assert "CNY 50k a year" in taken.body
    if language == "zh":
        assert taken.body.startswith(f"许可期限：{licence.starts_on.isoformat()} 至 {licence.ends_on.isoformat()}（3 年）\n"
                                     "许可使用费：CNY 50k a year\n被许可人已确认接受")


# -- account e-mails -----------------------------------------------------------------------------------------------

def test_password_reset_and_address_verification(ctx, smtp, language):
    p = People(language)
    user = p.user(p.org("enterprise"), email_verified=False)
    email_verification.send_link(user)
    password_reset.request_reset(user.email)
    db.session.commit()
    token = [n.link for n in _notes("account") if "/password-reset/" in n.link][0].rsplit("/", 1)[1]
    password_reset.reset_password(token, "another-horse-7")
    _check(language, smtp, ["请验证您的电子邮箱", "重置您的密码", "您的密码已重置"], "account")


def test_the_recipients_language_not_the_requests(app, smtp):
    """A broker browsing in English rejects a Chinese-speaking owner's listing: the owner reads Chinese, and the
    English-speaking member of the same organisation reads English."""
    with app.test_request_context("/?lang=en"):
        from flask import session

        session["lang"] = "en"
        p = People("zh")
        broker = p.broker()
        org = p.org("university")
        owner = p.user(org)
        english = p.user(org)
        english.locale = "en"
        record = f.achievement(owner, **ACHIEVEMENT)
        review.submit(owner, record)
        review.reject(broker, record, "Add test data")
        db.session.commit()
        notes = {n.user_id: n for n in _notes("review")}
        assert notes[owner.id].title == "您的科技成果「Perovskite solar cell encapsulation」被退回修改"
        assert not CJK.search(notes[english.id].title + notes[english.id].body)
        mails = {m.recipients[0]: m for m in _mailed(smtp, 2)}
        assert mails[owner.email].subject.startswith("【科技成果转化交易平台】")
        assert mails[owner.email].body.rstrip().endswith("查看：https://market.example.org/achievements/%d" % record.id)
        assert not CJK.search(mails[english.email].subject + mails[english.email].body)


# -- the account's language ----------------------------------------------------------------------------------------

def _locale(app, email: str) -> str | None:
    with app.app_context():
        locale = db.session.execute(db.select(User.locale).where(User.email == email)).scalar_one()
        db.session.rollback()
        return locale


def test_switching_the_language_signed_in_becomes_the_accounts(app, client):
    with app.app_context():
        f.user(f.organization("enterprise"), email="switch@example.org")
        db.session.commit()
    assert _locale(app, "switch@example.org") is None  # Chinese until chosen
    client.get("/?lang=en")  # chosen before signing in: kept when signing in
    login(client, "switch@example.org")
    assert _locale(app, "switch@example.org") == "en"
    client.get("/?lang=zh")
    assert _locale(app, "switch@example.org") == "zh"
    client.get("/search?lang=en")
    assert _locale(app, "switch@example.org") == "en"
    # a new browser without a choice: the account's language is the session's
    other = app.test_client()
    login(other, "switch@example.org")
    assert 'lang="en"' in other.get("/").get_data(as_text=True)


def test_registering_in_english_writes_the_verification_mail_in_english(app, client):
    client.get("/register?lang=en")
    form = {"org_name": "Newco Ltd", "org_type": "enterprise", "region": "220000", "email": "new@newco.example.org",
            "name": "New User", "password": "long-enough-1", "password2": "long-enough-1",
            "csrf_token": csrf_from(client, "/register")}
    assert client.post("/register", data=form).status_code == 302
    assert _locale(app, "new@newco.example.org") == "en"
    with app.app_context():
        [mail] = _notes("account")
        assert mail.title == "Please verify your e-mail address" and not CJK.search(mail.body), mail.body
        db.session.rollback()



def _msgids(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _msgids(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _msgids(item)


def test_every_notice_wording_has_its_english(ctx):
    """The branches the tests above do not walk (changes published or returned, other challenge outcomes, patents
    recommended, alerts over patents and demands...): each wording renders in English without CJK."""
    from marketplace.admin import notifications as organization_notices
    from marketplace.challenges import notifications as challenge_notices
    from marketplace.inquiries import notifications as inquiry_notices
    from marketplace.review import notifications as review_notices

    wordings = [*_msgids(review_notices.OUTCOMES), review_notices.REASON, *_msgids(organization_notices.MESSAGES),
                *_msgids(alerts.RECOMMENDED), alerts.BROKER_NOTE, *_msgids(alerts.ALERT_TITLES),
                alerts.ALERT_SUBSCRIPTION, alerts.FOLLOWED_DEMAND_MATCH,
                *(getattr(challenge_notices, name) for name in ("CLOSED_FOR_APPLICATIONS", "NEW_APPLICATION",
                                                                "AGREEMENT_SIGNED", "EVIDENCE_SUBMITTED")),
                *_msgids(challenge_notices.CHALLENGE_STEPS), *_msgids(challenge_notices.APPLICATION_OUTCOMES),
                *_msgids(challenge_notices.MILESTONE_VERDICTS), challenge_overdue.OVERDUE,
                challenge_overdue.OVERDUE_DETAIL, licensing.LICENCE_TAKEN, licensing.LICENCE_TAKEN_TERMS,
                licensing.LICENCE_ENDED, delivery.SUBJECT_PREFIX, delivery.SEE,
                *(value for name, value in vars(inquiry_notices).items() if name.isupper() and isinstance(value, str)
                  and CJK.search(value))]
    assert len(wordings) > 60
    values = {name: "x" for name in ("title", "name", "reason", "demand", "target", "note", "seq", "deliverable",
                                     "due_on", "late", "licensee", "patent", "starts_on", "ends_on", "years",
                                     "fee_terms", "asker", "holder", "subject", "days", "link")}
    rendered = {msgid: render_for(Message(msgid, **values), "en") for msgid in wordings}
    assert not {msgid: text for msgid, text in rendered.items() if CJK.search(text) or text == msgid}
    assert all(render_for(Message(msgid, **values), "zh") == msgid % values for msgid in wordings)
