"""The review queue pages in the database: oldest submission first across achievements, patents and demands, with
the same order, totals and page boundaries through the service, the API and the /review page."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from marketplace.accounts.models import User
from marketplace.achievements.models import Achievement
from marketplace.demands.models import Demand
from marketplace.extensions import db
from marketplace.listings import SUBMITTED
from marketplace.patents.models import Patent
from marketplace.review import services as review
from tests import factories as f
from tests.api.conftest import ApiClient, make_token
from tests.web.helpers import login

KINDS = ("achievement", "patent", "demand")
START = datetime(2025, 3, 1, 8, 0)
# (kind, minutes after START) of each submitted record, in creation order, so ids rise within a kind (each kind has
# its own table). Equal times: the demand, patent and achievement at 0 go in KINDS order, against their ids on fresh
# tables (demand 1, patent 4, achievement 7); the two patents at 5 by id. None: put in the queue by hand without a
# time, which counts as submitted now (after all the others).
SUBMISSIONS = [
    ("demand", 0), ("patent", 5), ("patent", 5), ("achievement", -30), ("demand", 7), ("achievement", 90),
    ("demand", 45), ("patent", 44), ("achievement", 46), ("demand", None), ("achievement", 12), ("patent", 0),
    ("demand", 14), ("achievement", 200), ("patent", 150), ("demand", 151), ("achievement", 8), ("achievement", 0),
    ("patent", 9), ("demand", 10), ("achievement", 300), ("patent", 301), ("demand", 302), ("achievement", 60),
    ("patent", 61), ("demand", 62), ("patent", 13),
]
TOTAL = len(SUBMISSIONS)  # 27: more than one page of 20 (the page) and several of 7 (the API below)


def _create(kind: str, owner):
    if kind == "achievement":
        return f.achievement(owner)
    if kind == "demand":
        return f.demand(owner)
    return f.patent(owner)


def _build_queue():
    """The submitted records above, plus records in every other state (never in the queue); the expected order."""
    owner = f.user(f.organization(), role="org_admin")
    broker = f.broker()
    expected = []
    for kind, minutes in SUBMISSIONS:
        record = _create(kind, owner)
        if minutes is None:
            record.status = SUBMITTED
        else:
            review.submit(owner, record)
            record.submitted_at = START + timedelta(minutes=minutes)
        expected.append((kind, record))
    for kind in KINDS:
        _create(kind, owner)  # draft
        published = _create(kind, owner)
        review.submit(owner, published)
        review.publish(broker, published)
        rejected = _create(kind, owner)
        review.submit(owner, rejected)
        review.reject(broker, rejected, "请补充材料")
    db.session.flush()
    far = datetime.max
    expected.sort(key=lambda item: (item[1].submitted_at or far, KINDS.index(item[0]), item[1].id))
    return broker, [(kind, record.id) for kind, record in expected]


@pytest.fixture
def queue(app):
    """Committed queue: (broker e-mail, broker id, expected [(kind, id)] in queue order)."""
    with app.test_request_context():
        broker, expected = _build_queue()
        db.session.commit()
        return broker.email, broker.id, expected


def _keys(items) -> list[tuple[str, int]]:
    return [(item.kind, item.record.id) for item in items]


def _of(kind, expected):
    return [key for key in expected if key[0] == kind]


def test_service_pages_in_submission_order_across_kinds(app, queue):
    _email, _broker_id, expected = queue
    assert len(expected) == TOTAL and expected[-1][0] == "demand"  # the one without a time comes last
    with app.test_request_context():
        for kind, wanted in [(None, expected)] + [(kind, _of(kind, expected)) for kind in KINDS]:
            for size in (7, 20, TOTAL, 100):
                pages = -(-len(wanted) // size)
                seen = []
                for number in range(1, pages + 2):  # one page past the end: empty, same total
                    items, total = review.review_queue(kind, number, size)
                    assert total == len(wanted), (kind, size, number)
                    assert _keys(items) == wanted[(number - 1) * size:number * size], (kind, size, number)
                    seen.extend(_keys(items))
                assert seen == wanted
            assert _keys(review.review_queue(kind)[0]) == wanted[:20]  # default: page 1 of 20
        assert review.queue_counts() == {**{kind: len(_of(kind, expected)) for kind in KINDS}, "challenge": 0}
        assert review.review_queue("unknown", 1, 5)[1] == TOTAL  # an unknown kind means every kind


def test_service_loads_only_the_page(app, queue):
    """Only the page's records are read (with their organisations, which the page and the API show)."""
    loaded = []

    def on_load(target, _context):
        loaded.append(target)

    models = [Achievement, Patent, Demand]
    with app.test_request_context():
        for model in models:
            event.listen(model, "load", on_load)
        try:
            items, total = review.review_queue(None, 2, 7)
        finally:
            for model in models:
                event.remove(model, "load", on_load)
        records = [item.record for item in items]
        assert total == TOTAL and len(items) == 7 and sorted(map(id, loaded)) == sorted(map(id, records))
        assert all("organization" in vars(record) for record in records)


def test_api_queue_pages(app, client, queue):
    _email, broker_id, expected = queue
    with app.test_request_context():
        token = make_token(db.session.get(User, broker_id))
        db.session.commit()
    api = ApiClient(client, token)
    for kind, wanted in [(None, expected)] + [(kind, _of(kind, expected)) for kind in KINDS]:
        seen = []
        for number in range(1, -(-len(wanted) // 7) + 2):
            query = f"/review/queue?page={number}&page_size=7" + (f"&kind={kind}" if kind else "")
            body = api.get(query).get_json()
            assert (body["total"], body["page"], body["page_size"]) == (len(wanted), number, 7)
            keys = [(item["kind"], item["id"]) for item in body["items"]]
            assert keys == wanted[(number - 1) * 7:number * 7], (kind, number)
            assert all(item["status"] == "submitted" and item["org_name"] for item in body["items"])
            seen.extend(keys)
        assert seen == wanted
    body = api.get("/review/queue").get_json()
    assert body["total"] == TOTAL and body["page_size"] == 20
    assert [(item["kind"], item["id"]) for item in body["items"]] == expected[:20]


ACTION = re.compile(r'action="/review/(achievement|patent|demand)/(\d+)/publish"')


def _page_keys(html: str) -> list[tuple[str, int]]:
    return [(kind, int(record_id)) for kind, record_id in ACTION.findall(html)]


def test_review_page_pages(app, queue):
    email, _broker_id, expected = queue
    client = app.test_client()
    login(client, email)
    first = client.get("/review").get_data(as_text=True)
    assert _page_keys(first) == expected[:20]
    assert f"共 {TOTAL} 条 · 第 1 / 2 页" in first and 'href="/review?page=2"' in first
    second = client.get("/review?page=2").get_data(as_text=True)
    assert _page_keys(second) == expected[20:]
    assert f"共 {TOTAL} 条 · 第 2 / 2 页" in second
    assert _page_keys(client.get("/review?page=3").get_data(as_text=True)) == []  # past the end
    for kind in KINDS:
        html = client.get(f"/review?kind={kind}").get_data(as_text=True)
        assert _page_keys(html) == _of(kind, expected)
        assert f"共 {len(_of(kind, expected))} 条" in html
    counts = {kind: len(_of(kind, expected)) for kind in KINDS}
    assert f'全部 <span class="count">{TOTAL}</span>' in first
    assert f'专利 <span class="count">{counts["patent"]}</span>' in first
