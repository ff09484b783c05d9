"""The 揭榜挂帅 refusals that name numbers, organisations, criteria or dates, in English over the JSON API
(``Accept-Language: en``): applying twice, the consortium and prior-result rules, the eligibility rules, reviewer
recusal, scores out of range and unknown criteria, an incomplete ranking, too many winners and the agreement's
milestone sums; and plain refusals (applying without an organisation or to one's own challenge, issuing as a
university, rubric and reviewer rules, choosing winners, agreements, expert profiles). The same requests without
Accept-Language answer in Chinese, word for word as before. Only the world's own data (organisation and criterion
names) may stay in Chinese in an English answer."""
from __future__ import annotations

import re

import pytest

from marketplace.accounts.models import User
from marketplace.challenges import experts, services
from marketplace.challenges.models import Challenge, ChallengeApplication
from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import ApiClient, _cheap_password_hashing, assert_problem, database, make_token, world  # noqa: F401
from tests.challenges.delivery_helpers import agreement_data, apply_and_review, awarded, day, score_all
from tests.challenges.helpers import challenge_data, published_challenge
from tests.challenges.test_api_applications import PROPOSAL, applied, close, race  # noqa: F401  (race: a fixture)

EN = {"Accept-Language": "en"}
CJK = re.compile(r"[\u4e00-\u9fff]")
RUBRIC = {"criteria": [{"name": "技术先进性", "weight": 70, "min": 0, "max": 100, "comments_required": True},
                       {"name": "团队能力", "weight": 30, "min": 1, "max": 10}]}


def refused(send, status: int) -> tuple[dict, dict]:
    """The problem documents of the same refused request in English and without Accept-Language (Chinese)."""
    return assert_problem(send(EN), status), assert_problem(send({}), status)


def english(text: str, *data: str) -> str:
    """``text`` has no Chinese once the world's own ``data`` (names as written) is left out."""
    rest = text
    for value in data:
        rest = rest.replace(value, "")
    assert not CJK.search(rest), text
    return text


def test_applying_twice_names_the_application_in_english(race):  # noqa: F811
    w = race
    first = applied(w, submit=False)["id"]
    en, zh = refused(lambda headers: w.member.post(f"/challenges/{w.ids['challenge']}/applications",
                                                   headers=headers), 409)
    assert english(en["detail"]) == (f"Your organisation has already applied to this challenge (application no. "
                                     f"{first}); each organisation may apply once")
    assert zh["detail"] == f"本机构已报名该榜单（申请编号 {first}），每个机构只能揭榜一次"


def test_consortium_and_prior_results_refusals_in_english(app, race):  # noqa: F811
    w = race
    application_id = applied(w, submit=False)["id"]
    url = f"/challenge-applications/{application_id}"
    with database(app):
        issuer_org = db.session.get(User, w.ids["other"]).organization
        issuer_name = issuer_org.name
        foreign = [f.achievement(db.session.get(User, w.ids["other"])).id,
                   f.achievement(db.session.get(User, w.ids["third"])).id]

    def patch(body):
        return lambda headers: w.owner.patch(url, json=body, headers=headers)

    en, zh = refused(patch({"consortium": [{"org_id": w.ids["org_b"], "role": "中试"}]}), 422)
    assert english(en["errors"]["consortium"][0], issuer_name) == \
        f"The issuing organisation “{issuer_name}” cannot be a consortium member"
    assert zh["errors"]["consortium"] == [f"发榜单位「{issuer_name}」不能作为联合体成员"]

    en, zh = refused(patch({"consortium": [{"org_id": 999999, "role": "中试"}]}), 422)
    assert en["errors"]["consortium"] == ["Organisation 999999 does not exist"]
    assert zh["errors"]["consortium"] == ["机构 999999 不存在"]

    en, zh = refused(patch({"consortium": [{"org_id": w.ids["org_a"], "role": "中试"}]}), 422)
    assert en["errors"]["consortium"] == ["The lead organisation cannot also be a consortium member"]
    assert zh["errors"]["consortium"] == ["牵头单位不能同时作为联合体成员"]

    en, zh = refused(patch({"consortium": [{"org_id": 999999, "role": "中试"}] * 21}), 422)
    assert en["errors"]["consortium"] == ["At most 20 consortium members"]
    assert zh["errors"]["consortium"] == ["联合体成员最多 20 项"]

    en, zh = refused(patch({"achievement_ids": foreign}), 422)
    assert english(en["errors"]["achievement_ids"][0]) == (
        "Only the lead organisation’s or the consortium members’ own achievements can be cited "
        f"(invalid IDs: {foreign[0]}, {foreign[1]})")
    assert zh["errors"]["achievement_ids"] == [
        f"只能引用牵头单位或联合体成员单位自己的成果（无效的编号：{foreign[0]}、{foreign[1]}）"]


def test_eligibility_rules_in_english(app, race):  # noqa: F811
    w = race
    with database(app):
        challenge = db.session.get(Challenge, w.ids["challenge"])
        challenge.eligible_org_types = ["institute", "enterprise"]
        challenge.eligible_regions = ["110000", "310000"]
        challenge.consortium = "required"
    application_id = applied(w, submit=False)["id"]
    url = f"/challenge-applications/{application_id}"
    en, zh = refused(lambda headers: w.owner.post(f"{url}/submit", headers=headers), 422)
    assert english(en["detail"]) == "The application does not meet the challenge’s conditions or is incomplete"
    assert {name: english(messages[0]) for name, messages in en["errors"].items()} == {
        "org_type": "This challenge accepts applications only from these types of organisation: Research institute, "
                    "Enterprise; your organisation’s type is University",
        "region": "This challenge accepts applications only from organisations in: Beijing, Shanghai",
        "consortium": "This challenge must be taken on by an innovation consortium: please add at least one "
                      "consortium member",
        "proposal": "Please fill in the proposal",
        "technical_route": "Please fill in the technical roadmap",
    }
    assert zh["detail"] == "不符合揭榜条件或申请内容不完整"
    assert {name: messages[0] for name, messages in zh["errors"].items()} == {
        "org_type": "本榜单只接受以下类型的机构揭榜：科研院所、企业；贵单位为高校",
        "region": "本榜单只接受以下地区的机构揭榜：北京市、上海市",
        "consortium": "本榜单须以创新联合体形式揭榜，请至少添加一家联合体成员单位",
        "proposal": "请填写揭榜方案",
        "technical_route": "请填写技术路线",
    }


def test_recusal_scores_and_ranking_refusals_in_english(app, race):  # noqa: F811
    w = race
    application_id = applied(w)["id"]
    close(app, w)
    assert w.broker.put(f"/challenges/{w.ids['challenge']}/rubric", json=RUBRIC).status_code == 200
    assign = f"/challenge-applications/{application_id}/reviewers"
    with database(app):
        applicant_name = db.session.get(ChallengeApplication, application_id).organization.name

    en, zh = refused(lambda headers: w.broker.post(assign, json={"reviewer_id": w.ids["member"]}, headers=headers),
                     422)
    assert english(en["errors"]["reviewer_id"][0], applicant_name) == \
        f"The reviewer is from the applying organisation “{applicant_name}” and must recuse"
    assert zh["errors"]["reviewer_id"] == [f"评审专家来自申请单位「{applicant_name}」，须回避"]

    response = w.broker.post(assign, json={"reviewer_id": w.ids["expert"]})
    assert response.status_code == 201, response.get_json()
    review_url = f"/challenge-reviews/{response.get_json()['id']}/score"

    en, zh = refused(lambda headers: w.other.post(f"/challenges/{w.ids['challenge']}/ranking", headers=headers),
                     422)
    assert english(en["errors"]["reviews"][0], applicant_name) == \
        f"The reviews of these applications are not complete yet: {applicant_name} (no. {application_id})"
    assert zh["errors"]["reviews"] == [f"以下申请的评审尚未完成：{applicant_name}（编号 {application_id}）"]

    scores = {"scores": {"技术先进性": 120, "团队能力": 8, "市场前景": 5}, "comments": {"团队能力": "x" * 2001}}
    en, zh = refused(lambda headers: w.expert.post(review_url, json=scores, headers=headers), 422)
    criteria = ("技术先进性", "团队能力", "市场前景")
    assert english(en["detail"]) == "The scores are incomplete or out of range"
    assert {name: [english(text, *criteria) for text in texts] for name, texts in en["errors"]["scores"].items()} \
        == {"技术先进性": ["“技术先进性”: please give a score from 0 to 100", "“技术先进性”: a comment is required"],
            "团队能力": ["“团队能力”: the comment cannot be longer than 2000 characters"],
            "市场前景": ["The scoring rubric has no criterion “市场前景”"]}
    assert zh["detail"] == "评分不完整或超出范围"
    assert zh["errors"]["scores"] == {"技术先进性": ["「技术先进性」请打 0 到 100 之间的分数", "「技术先进性」须填写评语"],
                                      "团队能力": ["「团队能力」的评语不能超过 2000 个字符"],
                                      "市场前景": ["评审细则中没有「市场前景」这项指标"]}


def test_too_many_winners_in_english(app, race):  # noqa: F811
    w = race
    winners = [applied(w)["id"], applied(w, w.third)["id"]]
    close(app, w)
    url = f"/challenges/{w.ids['challenge']}/award"
    en, zh = refused(lambda headers: w.other.post(url, json={"winner_ids": winners}, headers=headers), 422)
    assert en["errors"]["winner_ids"] == ["Too many winning teams: this challenge allows at most 1"]
    assert zh["errors"]["winner_ids"] == ["本榜单最多确定 1 个揭榜方"]


def test_the_default_not_selected_reason_reads_in_each_language(app, client):
    """Two reviewed teams, one chosen without a stated reason: the other reads the default reason in its language."""
    with database(app):
        issuer, broker = f.user(f.organization("enterprise")), f.broker()
        challenge = published_challenge(issuer, broker)
        reviewer = f.user(f.organization("institute"))
        experts.set_expert_profile(broker, reviewer, {"fields": [challenge.technical_field], "active": True})
        chosen, passed_over = f.user(f.organization("university")), f.user(f.organization("university"))
        passed_over.locale = "en"
        applications = [apply_and_review(challenge, team, reviewer) for team in (chosen, passed_over)]
        services.close_applications(issuer, challenge)
        score_all(challenge, reviewer)
        services.award(issuer, challenge, [applications[0].id])
        team = ApiClient(client, make_token(passed_over))
        result = f"/challenge-applications/{applications[1].id}/result"
    assert team.get(result, headers=EN).get_json()["reason"] == "Ranked below the selected teams in the overall review"
    assert team.get(result).get_json()["reason"] == "综合评审排名未进入揭榜名单"
    bodies = [n["body"] for n in team.get("/notifications").get_json()["items"]]
    assert "Ranked below the selected teams in the overall review" in bodies, bodies


@pytest.fixture
def winner(app, client):
    """An awarded challenge (one team, agreement not drafted yet) and its issuer's API client."""
    with database(app):
        s = awarded()
        ids = {"application": s.applications[0].id,
               "deadline": s.challenge.effective_completion_deadline.isoformat()}
        issuer = ApiClient(client, make_token(s.issuer))
    return ids, issuer


def test_agreement_sums_and_dates_in_english(winner):
    ids, issuer = winner
    url = f"/challenge-applications/{ids['application']}/agreement"

    def draft(body):
        return lambda headers: issuer.put(url, json=body, headers=headers)

    en, zh = refused(draft(agreement_data(tranches=("60", "30"))), 422)
    assert en["errors"]["milestones"] == [
        "The milestones’ tranches add up to 90.00 × ¥10k; they must equal the total funding (100.00 × ¥10k)"]
    assert zh["errors"]["milestones"] == ["各里程碑拨付金额之和（90.00 万元）应等于资助总额（100.00 万元）"]

    en, zh = refused(draft(agreement_data(funding="600", tranches=("300", "300"))), 422)
    assert en["errors"]["funding"] == ["The winning teams’ total funding cannot exceed the reward (500.00 × ¥10k; "
                                       "the other winning teams already have 0.00 × ¥10k)"]
    assert zh["errors"]["funding"] == ["各揭榜方资助总额不能超过榜额（500.00 万元；其他揭榜方已占 0.00 万元）"]

    late = agreement_data()
    late["milestones"][1].update(due_on=day(5000), indicator_refs=[0, 7])
    en, zh = refused(draft(late), 422)
    assert en["errors"]["milestones"] == {"1": {
        "due_on": [f"The due date cannot be later than the challenge’s completion deadline ({ids['deadline']})"],
        "indicator_refs": ["Indicator numbers must be from 0 to 1, each at most once (technical indicators of the "
                           "challenge: 2)"]}}
    assert zh["errors"]["milestones"] == {"1": {
        "due_on": [f"完成日期不能晚于榜单的完成期限（{ids['deadline']}）"],
        "indicator_refs": ["指标序号应为 0 到 1 之间且不重复（榜单共 2 项技术指标）"]}}

    en, zh = refused(draft({**agreement_data(), "milestones": [agreement_data()["milestones"][0]] * 21}), 422)
    assert en["errors"]["milestones"] == ["Please give 1 to 20 milestones"]
    assert zh["errors"]["milestones"] == ["请填写 1 到 20 个里程碑"]


# -- plain refusals (no names or numbers filled in): marked N_ where they are raised --------------------------------

def test_applying_without_an_organisation_or_to_ones_own_challenge_in_english(app, client, race):  # noqa: F811
    w = race
    with database(app):
        loner = ApiClient(client, make_token(f.user(None)))
    url = f"/challenges/{w.ids['challenge']}/applications"
    en, zh = refused(lambda headers: loner.post(url, headers=headers), 403)
    assert en["detail"] == "Join an organisation before applying to challenges"
    assert zh["detail"] == "请先加入一个机构再揭榜"

    en, zh = refused(lambda headers: w.other.post(url, headers=headers), 403)
    assert en["detail"] == "The issuing organisation cannot apply to its own challenge"
    assert zh["detail"] == "发榜单位不能揭自己发布的榜单"


def test_issuing_a_challenge_as_a_university_in_english(race):  # noqa: F811
    w = race
    en, zh = refused(lambda headers: w.owner.post("/challenges", json=challenge_data(), headers=headers), 422)
    assert en["detail"] == "Only enterprises and government departments can issue challenges"
    assert zh["detail"] == "只有企业或政府部门可以发布揭榜挂帅榜单"


def test_rubric_reviewer_and_winner_refusals_in_english(app, race):  # noqa: F811
    w = race
    application_id = applied(w)["id"]
    close(app, w)
    rubric_url = f"/challenges/{w.ids['challenge']}/rubric"

    def put_rubric(body):
        return lambda headers: w.broker.put(rubric_url, json=body, headers=headers)

    backwards = {"criteria": [{"name": "技术先进性", "weight": 0, "min": 0, "max": 100},
                              {"name": "团队能力", "weight": 50, "min": 10, "max": 5}]}
    en, zh = refused(put_rubric(backwards), 422)
    assert en["errors"]["criteria"] == {"0": {"weight": ["The weight must be greater than 0 and at most 100"]},
                                        "1": {"max": ["The maximum score must be higher than the minimum"]}}
    assert zh["errors"]["criteria"] == {"0": {"weight": ["权重应大于 0、不超过 100"]}, "1": {"max": ["最高分应高于最低分"]}}

    twice = {"criteria": [RUBRIC["criteria"][0], {**RUBRIC["criteria"][1], "name": "技术先进性"}]}
    en, zh = refused(put_rubric(twice), 422)
    assert en["errors"]["criteria"] == ["Review criterion names must be unique"]
    assert zh["errors"]["criteria"] == ["评审指标名称不能重复"]

    assert w.broker.put(rubric_url, json=RUBRIC).status_code == 200
    assign = f"/challenge-applications/{application_id}/reviewers"
    assert w.broker.post(assign, json={"reviewer_id": w.ids["expert"]}).status_code == 201
    en, zh = refused(lambda headers: w.broker.post(assign, json={"reviewer_id": w.ids["expert"]}, headers=headers),
                     409)
    assert en["detail"] == "This reviewer is already assigned to the application"
    assert zh["detail"] == "该评审专家已分配到此申请"

    en, zh = refused(lambda headers: w.broker.post(assign, json={"reviewer_id": w.ids["third"]}, headers=headers),
                     422)
    assert en["detail"] == "This user is not in the expert pool"
    assert en["errors"]["reviewer_id"] == ["This user is not in the expert pool"]
    assert zh["detail"] == "该用户不在评审专家库中" and zh["errors"]["reviewer_id"] == ["该用户不在评审专家库中"]

    award = f"/challenges/{w.ids['challenge']}/award"
    en, zh = refused(lambda headers: w.other.post(award, json={"winner_ids": [999999]}, headers=headers), 422)
    assert en["errors"]["winner_ids"] == ["Please choose the winning teams from the submitted applications"]
    assert zh["errors"]["winner_ids"] == ["请从已提交的申请中选择揭榜方"]

    en, zh = refused(lambda headers: w.other.post(award, json={"winner_ids": [application_id]}, headers=headers),
                     422)
    assert en["errors"]["winner_ids"] == [
        "Some applications’ reviews are not complete; the ranking and the choice of winning teams are possible once "
        "every review is in"]
    assert zh["errors"]["winner_ids"] == ["还有申请的评审未完成，完成全部评审后才能排名和确定揭榜方"]


def test_agreement_refusals_in_english(app, winner):
    ids, issuer = winner
    url = f"/challenge-applications/{ids['application']}/agreement"
    en, zh = refused(lambda headers: issuer.get(url, headers=headers), 404)
    assert en["detail"] == "No agreement has been drafted yet"
    assert zh["detail"] == "尚未起草协议"

    no_milestones = {key: value for key, value in agreement_data().items() if key != "milestones"}
    en, zh = refused(lambda headers: issuer.put(url, json=no_milestones, headers=headers), 422)
    assert en["errors"]["milestones"] == ["Please give at least one milestone"]
    assert zh["errors"]["milestones"] == ["请至少填写一个里程碑"]

    response = issuer.put(url, json=agreement_data())
    assert response.status_code == 200, response.get_json()
    sign = f"/challenge-agreements/{response.get_json()['id']}/sign"
    late = {"issuer_signed_on": day(0), "team_signed_on": day(3)}
    en, zh = refused(lambda headers: issuer.post(sign, json=late, headers=headers), 422)
    assert en["errors"] == {"team_signed_on": ["The signing date cannot be later than today"]}
    assert zh["errors"] == {"team_signed_on": ["签约日期不能晚于今天"]}

    signed = issuer.post(sign, json={"issuer_signed_on": day(0), "team_signed_on": day(0)})
    assert signed.status_code == 200, signed.get_json()
    en, zh = refused(lambda headers: issuer.put(url, json=agreement_data(), headers=headers), 409)
    assert en["detail"] == "The agreement has been signed and can no longer be changed"
    assert zh["detail"] == "协议已签约，不能修改"


def test_expert_profile_refusals_in_english(race):  # noqa: F811
    w = race
    own = f"/experts/{w.ids['member']}"  # A's member is in the 评审专家库 (active)
    en, zh = refused(lambda headers: w.member.put(own, json={"fields": ["new_energy"], "active": False},
                                                  headers=headers), 403)
    assert en["detail"] == "Only platform staff can activate or deactivate experts"
    assert zh["detail"] == "只有平台工作人员可以启用或停用评审专家"

    en, zh = refused(lambda headers: w.member.put(f"/experts/{w.ids['owner']}", json={"fields": ["new_energy"]},
                                                  headers=headers), 403)
    assert en["detail"] == "Only the experts themselves or platform staff can edit an expert profile"
    assert zh["detail"] == "只有本人或平台工作人员可以编辑评审专家资料"

    en, zh = refused(lambda headers: w.member.put(own, json={"fields": ["time_travel"]}, headers=headers), 422)
    assert en["errors"]["fields"] == {"0": ["Technical field: invalid value time_travel"]}
    assert zh["errors"]["fields"] == {"0": ["无效的技术领域：time_travel"]}
