"""An organisation's 统一社会信用代码 (GB 32100): optional on its profile, checked (check character), stored
upper-case, one organisation per code; on the page (422 naming the field), in the API, at creation."""
from __future__ import annotations

import pytest

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Organization
from marketplace.audit.models import AuditEvent
from marketplace.deals.identifiers import credit_code_check_character
from marketplace.errors import ValidationFailed
from marketplace.extensions import db
from tests.accounts.helpers import PROFILE, user
from tests.web.helpers import csrf_from, login, text

BODY = "12220000MB0123456"  # 事业单位, 吉林省, an organisation code
CODE = BODY + credit_code_check_character(BODY)
OTHER_BODY = "91220101MA17XY3K4"
OTHER = OTHER_BODY + credit_code_check_character(OTHER_BODY)
WRONG_CHECK = BODY + ("0" if CODE[-1] != "0" else "1")


def _edit(owner, org, code):
    return accounts.update_organization(owner, org, {"credit_code": code}, partial=True)


def test_a_valid_code_is_stored_upper_case_and_audited(ctx, people):
    org = db.session.get(Organization, people.org_id)
    owner = user(people.owner)
    assert _edit(owner, org, f"  {CODE.lower()} ") == ["credit_code"]
    assert org.credit_code == CODE
    assert _edit(owner, org, CODE) == []  # unchanged
    assert _edit(owner, org, "") == ["credit_code"] and org.credit_code is None  # optional: may be cleared
    db.session.commit()
    events = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "organization.update")).scalars()
    assert [e.details["fields"] for e in events] == [["credit_code"], ["credit_code"]]


@pytest.mark.parametrize("code", [WRONG_CHECK, CODE[:-1], CODE + "1", "12220000MB012345I" + "0", "统一社会信用代码"])
def test_an_invalid_code_is_refused_naming_the_field(ctx, people, code):
    org = db.session.get(Organization, people.org_id)
    with pytest.raises(ValidationFailed) as caught:
        _edit(user(people.owner), org, code)
    assert list(caught.value.errors) == ["credit_code"]
    assert "统一社会信用代码" in caught.value.errors["credit_code"][0] or "18" in caught.value.errors["credit_code"][0]
    assert org.credit_code is None


def test_a_code_belongs_to_one_organisation(ctx, people):
    org = db.session.get(Organization, people.org_id)
    other = accounts.find_organization_by_name(people.taken)
    other.credit_code = CODE
    db.session.flush()
    with pytest.raises(ValidationFailed) as caught:
        _edit(user(people.owner), org, CODE.lower())
    assert caught.value.errors == {"credit_code": [accounts.CREDIT_CODE_TAKEN]}
    with pytest.raises(ValidationFailed) as caught:  # reported together with the other fields' problems
        accounts.update_organization(user(people.owner), org, {"website": "ftp://x", "credit_code": CODE},
                                     partial=True)
    assert set(caught.value.errors) == {"website", "credit_code"}
    assert _edit(user(people.admin), other, CODE) == []  # its own code is not "taken"


def test_creating_an_organisation_checks_its_code(ctx):
    org = accounts.create_organization("图们江测试研究院", "institute", "220000", credit_code=CODE.lower())
    assert org.credit_code == CODE
    with pytest.raises(ValidationFailed) as caught:
        accounts.create_organization("另一家测试研究院", "institute", "220000", credit_code=CODE)
    assert caught.value.errors == {"credit_code": [accounts.CREDIT_CODE_TAKEN]}
    with pytest.raises(ValidationFailed) as caught:
        accounts.create_organization("另一家测试研究院", "institute", "220000", credit_code=WRONG_CHECK)
    assert list(caught.value.errors) == ["credit_code"]
    assert accounts.create_organization("没有代码的研究院", "institute", "220000").credit_code is None


def _form(client, org_id: int, **values) -> dict:
    page = text(client.get(f"/orgs/{org_id}/edit"))
    version = page.split('name="version" value="')[1].split('"')[0]
    return {**PROFILE, "version": version, "csrf_token": csrf_from(client, f"/orgs/{org_id}/edit"), **values}


def test_the_profile_page_takes_the_code(client, people):
    login(client, people.owner)
    url = f"/orgs/{people.org_id}/edit"
    assert "统一社会信用代码" in text(client.get(url))
    invalid = client.post(url, data=_form(client, people.org_id, credit_code=WRONG_CHECK))
    assert invalid.status_code == 422
    page = text(invalid)
    assert "统一社会信用代码无效" in page and f'value="{WRONG_CHECK}"' in page  # kept for correction
    field = page.split('id="f-credit_code"')[0].rsplit('<div class="field', 1)[1]
    assert field.startswith(" has-error")  # the error is shown at the field
    saved = client.post(url, data=_form(client, people.org_id, credit_code=CODE.lower()))
    assert saved.status_code == 302
    profile = text(client.get(saved.location))
    assert CODE in profile
    assert f'value="{CODE}"' in text(client.get(url))


def test_the_api_reads_and_patches_the_code(app, client, people):
    with app.test_request_context():
        _, secret = accounts.create_token(user(people.owner), "测试", "write")
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    item = f"/api/v1/organizations/{people.org_id}"
    response = client.get(item)
    assert response.get_json()["credit_code"] is None
    etag = response.headers["ETag"]
    refused = client.patch(item, json={"credit_code": WRONG_CHECK}, headers={**headers, "If-Match": etag})
    assert refused.status_code == 422 and "credit_code" in refused.get_json()["errors"]
    patched = client.patch(item, json={"credit_code": OTHER.lower()}, headers={**headers, "If-Match": etag})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["credit_code"] == OTHER
