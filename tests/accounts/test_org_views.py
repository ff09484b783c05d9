"""The organisation profile page: for the organisation's admins; saving, errors, conflicts; and the search results
that follow a rename."""
from __future__ import annotations

from marketplace.extensions import db
from marketplace.indexing import indexer
from tests import factories as f
from tests.accounts.helpers import PROFILE, user
from tests.web.helpers import csrf_from, login, text


def _form(client, org_id: int) -> dict:
    page = text(client.get(f"/orgs/{org_id}/edit"))
    version = page.split('name="version" value="')[1].split('"')[0]
    return {**PROFILE, "version": version, "csrf_token": csrf_from(client, f"/orgs/{org_id}/edit")}


def test_the_profile_page_is_for_the_organisations_admins(client, people):
    url = f"/orgs/{people.org_id}/edit"
    assert client.get(url).status_code == 302  # sign in first
    assert "编辑机构资料" not in text(client.get(f"/orgs/{people.org_id}"))
    for who in (people.member, people.stranger):
        login(client, who)
        assert client.get(url).status_code == 404
        assert "编辑机构资料" not in text(client.get(f"/orgs/{people.org_id}"))
        client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login(client, people.owner)
    assert f'href="{url}"' in text(client.get(f"/orgs/{people.org_id}"))
    assert f'href="{url}"' in text(client.get("/org/members"))
    page = text(client.get(url))
    assert 'value="松花江新材料研究院"' in page and "机构简介" in page
    assert "Edit organisation profile" in text(client.get(url + "?lang=en"))


def test_saving_the_profile_page(client, people):
    login(client, people.owner)
    url = f"/orgs/{people.org_id}/edit"
    stale = _form(client, people.org_id)
    invalid = client.post(url, data={**_form(client, people.org_id), "name": people.taken, "website": "ftp://x"})
    assert invalid.status_code == 422
    assert "该机构名称已被注册" in text(invalid) and "网址应以 http:// 或 https:// 开头" in text(invalid)

    saved = client.post(url, data=_form(client, people.org_id))
    assert saved.status_code == 302 and saved.location.endswith(f"/orgs/{people.org_id}")
    page = text(client.get(saved.location))
    assert "机构资料已保存" in page and "长白山天池实验室" in page and "寒区生态与新材料研究" in page

    conflict = client.post(url, data={**stale, "name": "迟到的修改"})
    assert conflict.status_code == 409 and "机构资料已被他人修改" in text(conflict)
    assert "迟到的修改" in text(conflict)  # what the user typed is still there


def test_a_rename_on_the_page_shows_in_search_results(app, client, people, search_engine):
    with app.app_context():
        owner = user(people.owner)
        record_id = f.achievement(owner, publish_by=f.broker(), title="寒地玉米机械化收获装备").id
        db.session.commit()
        indexer.drain(search_engine)
    assert "寒地玉米机械化收获装备" in text(client.get("/search?q=松花江"))

    login(client, people.owner)
    assert client.post(f"/orgs/{people.org_id}/edit", data=_form(client, people.org_id)).status_code == 302
    with app.app_context():
        report = indexer.drain(search_engine)
    assert report.queued == 1 and report.failed == 0
    assert "寒地玉米机械化收获装备" in text(client.get("/search?q=长白山天池"))
    assert "寒地玉米机械化收获装备" not in text(client.get("/search?q=松花江"))
    institutes = text(client.get("/search?holder_type=institute"))
    assert f"/achievements/{record_id}" in institutes
    assert f"/achievements/{record_id}" not in text(client.get("/search?holder_type=university"))
