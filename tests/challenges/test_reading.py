"""The public challenge list (marketplace.challenges.reading): filters, ``open_now``, sorts and lenient parsing,
read through the spec the page and the API share."""
from __future__ import annotations

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from marketplace.challenges import reading, services
from marketplace.extensions import db
from tests import factories as f
from tests.challenges.helpers import challenge_data, published_challenge


def ids(**query) -> list[int]:
    args = reading.parse_page(MultiDict(query))
    return [c.id for c in reading.public_page(args).items]


def test_filters_sorts_and_open_now(ctx):
    jilin = f.user(f.organization("enterprise", region="220000"))
    beijing = f.user(f.organization("government", region="110000"))
    broker = f.broker()
    battery = published_challenge(jilin, broker, reward_amount="500", funding_mode="milestone")
    vision = published_challenge(beijing, broker, title="视觉检测", technical_field="ai", reward_amount="80",
                                 funding_mode="horse_race", region="220000",
                                 application_deadline=(date.today() + timedelta(days=5)).isoformat())
    cancelled = published_challenge(beijing, broker, title="已撤榜单", reward_amount="20")
    services.cancel(beijing, cancelled, "预算调整")
    lapsed = published_challenge(jilin, broker, title="已过截止日期", reward_amount="1200")
    lapsed.application_deadline = date.today() - timedelta(days=1)  # time passed; the stage is still open
    services.create_challenge(jilin, challenge_data(title="未提交的草稿榜单"))
    db.session.commit()

    assert set(ids()) == {battery.id, vision.id, cancelled.id, lapsed.id}  # drafts are never listed
    assert ids(technical_field="ai") == [vision.id]
    assert set(ids(region="220000")) == {battery.id, vision.id, lapsed.id}  # its own region, else the issuer's
    assert ids(region="110000") == [cancelled.id]
    assert ids(funding_mode="horse_race") == [vision.id]
    assert ids(stage="cancelled") == [cancelled.id]
    assert set(ids(open_now="1")) == {battery.id, vision.id}
    assert set(ids(open_now="0")) == {cancelled.id, lapsed.id}
    assert ids(reward="200-1000") == [battery.id] and ids(reward="gte1000") == [lapsed.id]
    assert set(ids(org_type="government")) == {vision.id, cancelled.id}
    assert ids(sort="reward") == [lapsed.id, battery.id, vision.id, cancelled.id]
    assert ids(sort="deadline", open_now="1") == [vision.id, battery.id]
    assert ids(sort="newest") == sorted(ids(), reverse=True)


def test_bad_values_are_dropped_on_pages(ctx):
    owner = f.user(f.organization("enterprise"))
    challenge = published_challenge(owner, f.broker())
    db.session.commit()
    args = reading.parse_page(MultiDict({"stage": "bogus", "reward": "x", "open_now": "maybe", "sort": "up"}))
    assert args.filters == {} and args.sort == "newest"
    assert [c.id for c in reading.public_page(args).items] == [challenge.id]
