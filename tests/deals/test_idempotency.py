"""The Idempotency-Key race decided by the unique constraint: a twin request that checked for the key before the
first one committed fails on its insert, re-reads the winner's key and answers with the winner's record."""
from __future__ import annotations

import threading

from marketplace.accounts.models import Organization, User
from marketplace.deals import idempotency, services
from marketplace.deals.models import Deal, IdempotencyKey
from marketplace.extensions import db
from tests.api.conftest import _cheap_password_hashing  # noqa: F401
from tests.deals.deal_world import contract, world  # noqa: F401


def test_the_losing_twin_rereads_the_winner(app, world, monkeypatch):  # noqa: F811
    first_inserted, second_checked = threading.Event(), threading.Event()
    looked_up = idempotency._stored
    outcome: dict = {}

    def stored(user_id, scope, key):
        found = looked_up(user_id, scope, key)
        if threading.current_thread().name == "second":
            second_checked.set()  # it saw no key: the first one has not committed yet
        return found

    monkeypatch.setattr(idempotency, "_stored", stored)

    def request(name: str) -> None:
        with app.test_request_context():
            broker = db.session.get(User, world.ids["broker"])
            data = contract(db.session.get(Organization, world.ids["university"]),
                            db.session.get(Organization, world.ids["enterprise"]), name="竞争创建的合同")

            def create():
                if name == "first":
                    first_inserted.set()
                    assert second_checked.wait(10)
                return services.create_deal(broker, data)

            if name == "second":
                assert first_inserted.wait(10)
            outcome[name] = idempotency.create_once(broker, "deal.create", "twin", {"name": "竞争创建的合同"}, create)
            db.session.remove()

    threads = [threading.Thread(target=request, args=(name,), name=name) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome["first"][1] is True and outcome["second"] == (outcome["first"][0], False)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Deal).where(
            Deal.name == "竞争创建的合同")).scalar_one() == 1
        assert db.session.execute(db.select(db.func.count()).select_from(IdempotencyKey)).scalar_one() == 1
