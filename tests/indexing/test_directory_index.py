"""The organisations' index is the public directory: only verified organisations are in it, and verifying,
suspending and restoring one adds or removes its document (reindex and verify agree with the database)."""
from marketplace.accounts import services as accounts
from marketplace.admin import services as admin_services
from marketplace.extensions import db
from marketplace.indexing import indexer, reconcile
from tests import factories as f
from tests.deals.deal_world import credit_code


def _indexed(engine) -> set[int]:
    return set(engine.versions("organization"))


def test_only_verified_organisations_are_indexed(app, ctx, search_engine):
    admin = f.admin()
    known = f.organization(name="已认证的大学")
    pending = accounts.create_organization("待认证的新公司", "enterprise", "220000", verified=False)
    db.session.commit()
    indexer.drain(search_engine)
    assert known.id in _indexed(search_engine) and pending.id not in _indexed(search_engine)

    admin_services.verify_organization(admin, pending, {"credit_code": credit_code()})
    db.session.commit()
    indexer.drain(search_engine)
    assert pending.id in _indexed(search_engine)

    admin_services.decide_organization(admin, pending, "suspend", "重复注册")
    db.session.commit()
    indexer.drain(search_engine)
    assert pending.id not in _indexed(search_engine)

    count, _ = reconcile.rebuild_kind(search_engine, "organization")
    assert count == len(_indexed(search_engine)) and pending.id not in _indexed(search_engine)
    assert reconcile.compare(search_engine, "organization").problems == 0
