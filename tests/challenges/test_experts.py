"""评审专家库: who may create, edit and activate an expert profile; only active experts can be assigned as reviewers;
the organisation stated in the profile counts for recusal; the staff list (field filter, search); the API and the
staff page, and the rubric page's reviewer select (experts of the challenge's field first)."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from marketplace.challenges import applications as apps
from marketplace.challenges import experts, reviews, services
from marketplace.challenges.models import Challenge, ExpertProfile
from marketplace.errors import Conflict, PermissionDenied, ValidationFailed
from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import ApiClient, _cheap_password_hashing, assert_problem, database, make_token, world  # noqa: F401
from tests.challenges.helpers import published_challenge
from tests.web.helpers import login, post, text

RUBRIC = {"criteria": [{"name": "技术先进性", "weight": "100", "min": 0, "max": 100}]}
PROFILE = {"title": "研究员", "organisation": "中科院长春应化所", "fields": ["new_energy"], "expertise": "固态电池"}


@pytest.fixture
def setup(ctx):
    """A challenge under review with one submitted application (lead + consortium partner), a broker."""
    issuer = f.user(f.organization("enterprise"))
    broker = f.broker()
    challenge = published_challenge(issuer, broker)
    lead, partner = f.user(f.organization("university")), f.organization("enterprise")
    application = apps.register_interest(lead, challenge)
    apps.update_application(lead, application, {"proposal": "方案", "technical_route": "路线",
                                                "consortium": [{"org_id": partner.id, "role": "中试"}]})
    apps.submit_application(lead, application)
    reviews.set_rubric(broker, challenge, RUBRIC)
    services.close_applications(issuer, challenge)
    db.session.flush()
    return {"issuer": issuer, "broker": broker, "challenge": challenge, "lead": lead, "partner": partner,
            "application": application}


def test_staff_create_and_activate_a_profile(setup):
    broker, user = setup["broker"], f.user(f.organization("institute"))
    assert not experts.is_expert(user)
    profile = experts.set_expert_profile(broker, user, {**PROFILE, "fields": ["new_energy", "new_energy", "ai"],
                                                        "active": True})
    assert profile.active and profile.fields == ["new_energy", "ai"] and profile.title == "研究员"
    assert experts.is_expert(user)
    experts.set_expert_profile(broker, user, {"fields": ["ai"], "active": False})  # a whole replacement
    assert profile.title is None and profile.organisation is None and not experts.is_expert(user)
    with pytest.raises(Conflict):
        experts.set_expert_profile(broker, user, PROFILE, version=profile.version - 1)


def test_users_fill_in_their_own_profile_but_only_staff_activate_it(setup):
    user, other = f.user(f.organization("institute")), f.user(f.organization("institute"))
    with pytest.raises(PermissionDenied) as error:
        experts.set_expert_profile(user, user, {**PROFILE, "active": True})
    assert "平台工作人员" in error.value.message
    profile = experts.set_expert_profile(user, user, PROFILE)
    assert not profile.active and not experts.is_expert(user)
    with pytest.raises(PermissionDenied):
        experts.set_expert_profile(other, user, PROFILE)
    experts.set_expert_profile(setup["broker"], user, {**PROFILE, "active": True})
    experts.set_expert_profile(user, user, {**PROFILE, "expertise": "硫化物电解质"})  # keeps it active
    assert profile.active
    experts.set_expert_profile(user, user, {**PROFILE, "organisation": "另一家单位"})  # staff check it again
    assert not profile.active


@pytest.mark.parametrize("data, field", [({"fields": []}, "fields"), ({"fields": ["bogus"]}, "fields"),
                                         ({}, "fields"), ({**PROFILE, "title": "x" * 51}, "title"),
                                         ({**PROFILE, "active": "maybe"}, "active")])
def test_profile_is_validated(setup, data, field):
    with pytest.raises(ValidationFailed) as error:
        experts.set_expert_profile(setup["broker"], f.user(), data)
    assert field in error.value.errors


def test_assignment_needs_an_active_profile(setup):
    broker, application = setup["broker"], setup["application"]
    reviewer = f.user(f.organization("institute"))
    with pytest.raises(ValidationFailed) as error:
        reviews.assign_reviewer(broker, application, reviewer)
    assert error.value.errors == {"reviewer_id": ["该用户不在评审专家库中"]}
    experts.set_expert_profile(reviewer, reviewer, PROFILE)  # filled in, not yet activated
    with pytest.raises(ValidationFailed):
        reviews.assign_reviewer(broker, application, reviewer)
    experts.set_expert_profile(broker, reviewer, {**PROFILE, "active": True})
    assert reviews.assign_reviewer(broker, application, reviewer).reviewer_id == reviewer.id


@pytest.mark.parametrize("who, words", [("lead", "申请单位"), ("partner", "联合体成员单位"), ("issuer", "发榜单位")])
def test_recusal_by_the_stated_organisation(setup, who, words):
    org = {"lead": setup["lead"].organization, "partner": setup["partner"],
           "issuer": setup["issuer"].organization}[who]
    for reviewer in (f.user(), f.user(f.organization("institute"))):  # no membership, or an unrelated one
        experts.set_expert_profile(setup["broker"], reviewer, {
            **PROFILE, "organisation": f"  {org.name.upper()} ", "active": True})
        with pytest.raises(ValidationFailed) as error:
            reviews.assign_reviewer(setup["broker"], setup["application"], reviewer)
        message = error.value.errors["reviewer_id"][0]
        assert words in message and org.name in message
    assert setup["application"].reviews == []


def test_expert_list_filters_and_searches(setup):
    broker = setup["broker"]
    a, b, c = f.user(f.organization("institute")), f.user(), f.user()
    experts.set_expert_profile(broker, a, {**PROFILE, "active": True})
    experts.set_expert_profile(broker, b, {"title": "教授", "fields": ["ai", "new_energy"], "active": True,
                                           "expertise": "电池管理算法"})
    experts.set_expert_profile(c, c, {"fields": ["ai"]})  # not active
    users = lambda profiles: {p.user_id for p in profiles}  # noqa: E731
    assert users(experts.experts()) == {a.id, b.id}
    assert users(experts.experts("ai")) == {b.id}
    assert users(experts.experts("ai", active=None)) == {b.id, c.id}
    assert users(experts.experts(active=False)) == {c.id}
    assert users(experts.experts(q="应化所")) == {a.id}
    assert users(experts.experts(q="电池 算法")) == {b.id}
    assert users(experts.experts(q="100%_")) == set()
    with pytest.raises(ValidationFailed) as error:
        experts.experts("bogus")
    assert "field" in error.value.errors
    with pytest.raises(PermissionDenied):
        experts.experts(actor=a)
    choices = experts.reviewer_choices(setup["challenge"])  # the challenge is in new_energy: both, a then b
    assert [(p.user_id, in_field) for p, in_field in choices] == sorted(
        [(a.id, True), (b.id, True)], key=lambda pair: db.session.get(User, pair[0]).name)
    setup["challenge"].technical_field = "ai"
    assert [(p.user_id, in_field) for p, in_field in experts.reviewer_choices(setup["challenge"])] == \
        [(b.id, True), (a.id, False)]


# -- API --------------------------------------------------------------------------------------------------------------

def test_api(app, client, world):  # noqa: F811
    w = world
    me = f"/experts/{w.ids['member']}"
    assert_problem(w.member.get(me), 404)
    body = w.member.put(me, json=PROFILE)
    assert body.status_code == 200, body.get_json()
    assert body.get_json()["active"] is False and body.get_json()["fields"] == ["new_energy"]
    assert w.member.get(me).headers["ETag"] == '"1"'
    assert_problem(w.member.put(me, json={**PROFILE, "active": True}), 403)
    assert_problem(w.other.get(me), 404)
    assert_problem(w.other.put(me, json=PROFILE), 403)
    assert_problem(w.broker.put(me, json={"fields": ["bogus"]}), 422, "fields")
    assert_problem(w.broker.put(me, json=PROFILE, headers={"If-Match": '"7"'}), 409)
    response = w.broker.put(me, json={**PROFILE, "active": True}, headers={"If-Match": '"1"'})
    assert response.status_code == 200 and response.get_json()["active"] is True
    assert response.get_json()["member_of"] and response.get_json()["name"]
    assert_problem(w.broker.put("/experts/999999", json=PROFILE), 404)
    assert_problem(w.member.get("/experts"), 403)
    assert_problem(w.anon.get("/experts"), 401)
    items = w.broker.get("/experts?field=new_energy&q=应化所").get_json()["items"]
    assert [i["user_id"] for i in items] == [w.ids["member"]]
    assert w.broker.get("/experts?field=ai").get_json()["total"] == 0
    assert w.broker.get("/experts?status=inactive").get_json()["total"] == 0
    assert_problem(w.broker.get("/experts?field=bogus"), 422, "field")


# -- pages ------------------------------------------------------------------------------------------------------------

@pytest.fixture
def staff(app):
    with app.app_context():
        broker = f.broker()
        expert = f.user(f.organization("institute", name="示范研究院"), email="expert@experts.test")
        member = f.user(f.organization("university"), email="member@experts.test")
        challenge = published_challenge(f.user(f.organization("enterprise")), broker)
        application = apps.register_interest(member, challenge)
        apps.update_application(member, application, {"proposal": "方案", "technical_route": "路线"})
        apps.submit_application(member, application)
        other = f.user(f.organization("institute", name="别的研究院"))
        experts.set_expert_profile(broker, other, {"organisation": "别的研究院", "fields": ["ai"], "active": True})
        db.session.commit()
        return {"broker": broker.email, "expert": expert.id, "member": member.email, "challenge": challenge.id,
                "application": application.id}


def test_expert_page_is_for_staff_and_saves_a_profile(app, client, staff):
    member = app.test_client()
    login(member, staff["member"])
    assert member.get("/challenges/experts").status_code == 404
    assert post(member, "/challenges/experts", {"user_id": staff["expert"], "fields": ["ai"]}).status_code == 404
    login(client, staff["broker"])
    assert "没有符合条件的评审专家" in text(client.get("/challenges/experts?field=new_energy"))
    assert client.get("/challenges/experts?email=nobody@x.test").status_code == 404
    form = client.get("/challenges/experts?email=EXPERT@experts.test")
    assert form.status_code == 200 and "expert@experts.test" in text(form)
    data = {"user_id": staff["expert"], "title": "研究员", "organisation": "示范研究院", "fields": []}
    failed = post(client, "/challenges/experts", data, token_page="/challenges/experts")
    assert failed.status_code == 422 and "expert-fields-error" in text(failed)
    saved = post(client, "/challenges/experts", {**data, "fields": ["new_energy"], "active": "yes"},
                 token_page="/challenges/experts")
    assert saved.status_code == 302
    with app.app_context():
        profile = db.session.scalars(db.select(ExpertProfile).filter_by(user_id=staff["expert"])).one()
        assert profile.active and profile.fields == ["new_energy"] and profile.user_id == staff["expert"]
    listing = text(client.get("/challenges/experts?field=new_energy"))
    assert "示范研究院" in listing and "已启用" in listing and "别的研究院" not in listing
    assert "示范研究院" not in text(client.get("/challenges/experts?field=ai"))
    rubric = text(client.get(f"/challenges/{staff['challenge']}/rubric"))  # a new_energy challenge
    assert f'<option value="{staff["expert"]}"' in rubric
    assert rubric.index("本榜单技术领域") < rubric.index("示范研究院") < rubric.index("其他领域") < rubric.index("别的研究院")
    with app.app_context():
        broker = db.session.scalars(db.select(User).where(User.email == staff["broker"])).one()
        reviews.set_rubric(broker, db.session.get(Challenge, staff["challenge"]), RUBRIC)
        db.session.commit()
    url = f"/challenges/{staff['challenge']}/applications/{staff['application']}/reviewers"
    refused = post(client, url, {"reviewer_id": "999999"}, token_page="/challenges/experts")
    assert refused.status_code == 422 and "评审专家不存在或已停用" in text(refused)
    assigned = post(client, url, {"reviewer_id": staff["expert"]}, token_page="/challenges/experts")
    assert assigned.status_code == 302
