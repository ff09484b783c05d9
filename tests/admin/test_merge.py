"""Merging a duplicate organisation: its members, listings, revisions, invitations, inquiries, contract parties,
contracts and consortium places move to the kept one; nothing refers to the duplicate any more; audited."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Organization, User
from marketplace.achievements.models import Achievement
from marketplace.admin import services
from marketplace.admin.merge import organization_references
from marketplace.audit.models import AuditEvent
from marketplace.challenges import applications
from marketplace.deals import services as deals
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.inquiries import services as inquiries
from tests import factories as f
from tests.challenges.helpers import published_challenge
from tests.deals.deal_world import contract, credit_code


def _references_to(org_id: int) -> dict[str, int]:
    """Rows of every table whose organisation columns (foreign keys, and the summary tables' copies) hold ``org_id``."""
    found = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            refers = any(fk.column.table.name == "organizations" for fk in column.foreign_keys)
            if (refers or column.name.endswith("org_id")) and column.name != "merged_into_id":
                count = db.session.execute(db.select(db.func.count()).select_from(table)
                                           .where(column == org_id)).scalar_one()
                if count:
                    found[f"{table.name}.{column.name}"] = count
    return found


@pytest.fixture
def merge_world(app):
    with app.test_request_context():
        kept = f.organization("enterprise", name="长春一汽新材料有限公司")
        duplicate = f.organization("enterprise", name="一汽新材料（重复注册）")
        kept.credit_code, duplicate.credit_code = None, credit_code()
        holder = f.organization("university", name="吉林合并大学")
        holder.credit_code = credit_code()
        broker, admin = f.broker(), f.admin()
        kept_user = f.user(kept, role="org_admin", email="kept@merge.test")
        dup_admin = f.user(duplicate, role="org_admin", email="dup@merge.test")
        dup_member = f.user(duplicate, email="dup2@merge.test")
        holder_user = f.user(holder, email="holder@merge.test")
        published = f.achievement(dup_admin, publish_by=broker, title="重复机构已发布的成果")
        f.achievement(dup_admin, title="重复机构的草稿")
        f.demand(dup_admin, publish_by=broker)
        f.patent(dup_admin)
        accounts.invite_member(dup_admin, duplicate, "newcomer@merge.test")
        holder_listing = f.achievement(holder_user, publish_by=broker, title="大学的成果")
        inquiries.send_inquiry(dup_member, {"subject_kind": "achievement", "subject_id": holder_listing.id,
                                            "message": "希望了解许可条件和中试情况，请联系。", "cooperation_mode": "licence"})
        deal = deals.create_deal(broker, contract(holder, duplicate))
        issuer = f.user(f.organization("enterprise", name="发榜的汽车企业"), email="issuer@merge.test")
        challenge = published_challenge(issuer, broker)
        application = applications.register_interest(kept_user, challenge)
        applications.update_application(kept_user, application, {"consortium": [
            {"org_id": duplicate.id, "role": "联合研发"}]})
        db.session.commit()
        return dict(kept=kept.id, duplicate=duplicate.id, admin=admin.id, broker=broker.id, deal=deal.id,
                    published=published.id, application=application.id, members=[dup_admin.id, dup_member.id])


def test_merging_moves_everything_and_leaves_no_reference_to_the_duplicate(app, merge_world):
    with app.test_request_context():
        admin = db.session.get(User, merge_world["admin"])
        duplicate, kept = (db.session.get(Organization, merge_world[key]) for key in ("duplicate", "kept"))
        before = _references_to(duplicate.id)
        assert {"memberships.org_id", "achievements.org_id", "demands.org_id", "patents.org_id",
                "invitations.org_id", "inquiries.asker_org_id", "deal_parties.org_id"} <= set(before)
        code = duplicate.credit_code
        moved = services.merge_organizations(admin, duplicate, kept)
        db.session.commit()
        assert moved["memberships"] == 2 and moved["achievements"] == 2
        assert moved["challenge_applications.consortium"] == 1

    with app.test_request_context():
        duplicate, kept = (db.session.get(Organization, merge_world[key]) for key in ("duplicate", "kept"))
        assert _references_to(duplicate.id) == {}
        assert (duplicate.status, duplicate.merged_into_id) == ("merged", kept.id)
        assert kept.credit_code == code and duplicate.credit_code is None
        assert {m.user_id for m in kept.memberships} >= set(merge_world["members"])
        assert db.session.get(Achievement, merge_world["published"]).org_id == kept.id
        from marketplace.challenges.models import ChallengeApplication
        from marketplace.deals.models import Deal
        application = db.session.get(ChallengeApplication, merge_world["application"])
        assert application.consortium_org_ids == [kept.id]
        assert kept.id in db.session.get(Deal, merge_world["deal"]).party_org_ids
        events = {e.action: e for e in db.session.execute(db.select(AuditEvent).where(
            AuditEvent.action.in_(["organization.merge", "organization.merge_into"]))).scalars()}
        assert events["organization.merge"].details["into"] == kept.id
        assert events["organization.merge_into"].details["from"] == duplicate.id


def test_every_foreign_key_to_organisations_is_found_from_the_models():
    references = {(model.__tablename__, attribute) for model, attribute in organization_references()}
    expected = {(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns
                if any(fk.column.table.name == "organizations" for fk in column.foreign_keys)}
    expected.discard(("organizations", "merged_into_id"))
    assert references == expected and len(expected) >= 15
    assert all(inspect(model).local_table.name == table for model, _ in organization_references()
               for table in [model.__tablename__])


def test_the_merged_duplicates_old_address_leads_to_the_kept_organisation(app, client, merge_world):
    with app.test_request_context():
        admin = db.session.get(User, merge_world["admin"])
        duplicate, kept = (db.session.get(Organization, merge_world[key]) for key in ("duplicate", "kept"))
        services.merge_organizations(admin, duplicate, kept)
        db.session.commit()
    response = client.get(f"/orgs/{merge_world['duplicate']}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/orgs/{merge_world['kept']}")
    assert "一汽新材料（重复注册）" not in client.get("/orgs").get_data(as_text=True)


def test_merging_refuses_itself_a_merged_one_and_non_admins(app, merge_world):
    with app.test_request_context():
        admin, broker = (db.session.get(User, merge_world[key]) for key in ("admin", "broker"))
        duplicate, kept = (db.session.get(Organization, merge_world[key]) for key in ("duplicate", "kept"))
        with pytest.raises(NotFound):
            services.merge_organizations(broker, duplicate, kept)
        from marketplace.errors import ValidationFailed
        with pytest.raises(ValidationFailed) as refused:
            services.merge_organizations(admin, duplicate, duplicate)
        assert "into" in refused.value.errors
        db.session.rollback()
        services.merge_organizations(admin, duplicate, kept)
        with pytest.raises(Conflict):  # a merged organisation cannot be merged again (409)
            services.merge_organizations(admin, duplicate, kept)
