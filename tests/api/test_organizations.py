"""Organisations and members: a public directory; members, invitations and removals for organisation admins."""
from marketplace.accounts.models import Membership, User
from marketplace.extensions import db

from .conftest import assert_problem, database


def test_directory_is_public_and_paginated(world):
    page = world.anon.get("/organizations?page_size=2").get_json()
    assert page["total"] == 4 and len(page["items"]) == 2 and page["page_size"] == 2
    enterprises = world.anon.get("/organizations?org_type=enterprise").get_json()["items"]
    assert [o["name"] for o in enterprises] == ["长春某企业（测试）"]
    assert world.anon.get(f"/organizations/{world.ids['org_a']}").get_json()["org_type"] == "university"
    assert_problem(world.anon.get("/organizations/424242"), 404)
    assert_problem(world.anon.get("/organizations?org_type=club"), 422, "org_type")


def test_members_are_listed_for_org_admins_only(world):
    org = world.ids["org_a"]
    members = world.owner.get(f"/organizations/{org}/members").get_json()
    assert {m["user_id"]: m["role"] for m in members} == {world.ids["owner"]: "org_admin",
                                                          world.ids["member"]: "member"}
    assert world.admin.get(f"/organizations/{org}/members").status_code == 200
    assert_problem(world.member.get(f"/organizations/{org}/members"), 403)
    assert_problem(world.other.get(f"/organizations/{org}/members"), 403)
    assert_problem(world.anon.get(f"/organizations/{org}/members"), 401)


def test_invitation_returns_the_secret_once(world, app):
    org = world.ids["org_a"]
    response = world.owner.post(f"/organizations/{org}/invitations",
                                json={"email": " New.Person@Example.cn ", "role": "member", "org_id": 999})
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "new.person@example.cn" and len(body["secret"]) > 20
    if body["link"] is not None:
        assert body["link"].endswith(body["secret"])
    assert_problem(world.member.post(f"/organizations/{org}/invitations", json={"email": "x@example.cn"}), 403)
    assert_problem(world.other.post(f"/organizations/{org}/invitations", json={"email": "x@example.cn"}), 403)
    assert_problem(world.owner.post(f"/organizations/{org}/invitations", json={"email": "no-at-sign"}), 422, "email")
    assert_problem(world.owner.post(f"/organizations/{org}/invitations", json={"email": ["a@b.cn"]}), 422, "email")
    assert_problem(world.owner.post(f"/organizations/{org}/invitations",
                                    json={"email": "y@example.cn", "role": "king"}), 422, "role")
    # someone who already belongs to an organisation
    with database(app) as session:
        taken = session.get(User, world.ids["other"]).email
    assert_problem(world.owner.post(f"/organizations/{org}/invitations", json={"email": taken}), 422, "email")


def test_remove_member_ends_their_access(world, app):
    org = world.ids["org_a"]
    assert_problem(world.member.delete(f"/organizations/{org}/members/{world.ids['owner']}"), 403)
    assert world.owner.delete(f"/organizations/{org}/members/{world.ids['member']}").status_code == 204
    assert world.member.get("/me").get_json()["organization"] is None
    assert_problem(world.owner.delete(f"/organizations/{org}/members/{world.ids['member']}"), 404)
    # the last admin stays
    body = assert_problem(world.owner.delete(f"/organizations/{org}/members/{world.ids['owner']}"), 422)
    assert "管理员" in body["detail"]
    with database(app) as session:
        assert session.execute(db.select(Membership).where(Membership.org_id == org)).scalars().one()


def test_patch_edits_the_profile_for_its_admins_with_versions(world, app):
    org = world.ids["org_a"]
    current = world.anon.get(f"/organizations/{org}")
    assert current.headers["ETag"] == '"1"' and current.get_json()["version"] == 1
    assert_problem(world.anon.patch(f"/organizations/{org}", json={"name": "x"}), 401)
    for who in (world.member, world.other, world.broker):
        assert_problem(who.patch(f"/organizations/{org}", json={"name": "x"}), 403)
    assert_problem(world.reader.patch(f"/organizations/{org}", json={"name": "x"}), 403)
    assert_problem(world.owner.patch(f"/organizations/{org}", json={"org_type": "club"}), 422, "org_type")
    assert_problem(world.owner.patch(f"/organizations/{org}", json={"name": "长春某企业（测试）"}), 422, "name")
    assert_problem(world.owner.patch("/organizations/424242", json={"name": "x"}), 404)

    response = world.owner.patch(f"/organizations/{org}", json={"name": "吉林大学天池实验室", "org_id": 99},
                                 headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name"] == "吉林大学天池实验室" and response.headers["ETag"] == '"2"'
    assert response.get_json()["id"] == org
    # someone who edited version 1 is told, not silently overwritten
    assert_problem(world.admin.patch(f"/organizations/{org}", json={"region": "210000"},
                                     headers={"If-Match": '"1"'}), 409)
    response = world.admin.patch(f"/organizations/{org}", json={"region": "210000"}, headers={"If-Match": '"2"'})
    assert response.status_code == 200 and response.get_json()["region"] == "210000"
    assert world.anon.get(f"/organizations/{org}").get_json()["name"] == "吉林大学天池实验室"
