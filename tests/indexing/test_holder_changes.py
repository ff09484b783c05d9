"""An organisation's changes reach the search documents of its listings through the outbox, on both engines:
renames, re-typing and moves; only when the documents change; expanded by the indexer in batches; never
overwritten by an older state; and `flask search verify` still sees and repairs drift."""
import pytest

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Membership
from marketplace.achievements import services as achievements
from marketplace.achievements.models import Achievement
from marketplace.admin import services as admin_services
from marketplace.demands.models import Demand
from marketplace.extensions import db
from marketplace.indexing import indexer
from marketplace.indexing.documents import KINDS, to_change
from marketplace.indexing.models import OutboxEntry
from marketplace.indexing.records import load_by_ids, searchable_versions
from marketplace.patents.models import Patent
from marketplace.review import services as review
from marketplace.workflow import SYSTEM
from search.engine import SearchQuery
from tests import factories as f
from tests.indexing.helpers import pending_rows, published_achievements

OLD_NAME, NEW_NAME = "松花江新材料研究院", "长白山天池实验室"


def hits(engine, text: str, kind: str = "achievement") -> list[int]:
    return sorted(h.id for h in engine.search(SearchQuery(kind=kind, text=text, size=50)).hits)


def facets(engine, kind: str, field: str) -> dict[str, int]:
    return engine.search(SearchQuery(kind=kind, facets=[field], size=0)).facets.get(field, {})


def rows_since(outbox_id: int) -> set[tuple[str, int]]:
    return {(r.kind, r.record_id) for r in db.session.execute(
        db.select(OutboxEntry).where(OutboxEntry.id > outbox_id)).scalars()}


def edit(org, **changes) -> list[str]:
    """Change the organisation's profile as its admin does (the service behind the page and the API); commit."""
    admin = db.session.execute(db.select(Membership).where(
        Membership.org_id == org.id, Membership.role == "org_admin")).scalars().first().user
    changed = accounts.update_organization(admin, org, changes, partial=True)
    db.session.commit()
    return changed


@pytest.fixture
def holder(app, ctx):
    """A university in Jilin with a published achievement, patent and demand, and a region-less achievement and
    demand (their documents show the organisation's province)."""
    org = f.organization("university", "220000", name=OLD_NAME)
    owner = f.user(org, role="org_admin")
    broker = f.broker()
    achievement = f.achievement(owner, publish_by=broker)
    patent = f.patent(owner)
    review.submit(owner, patent)
    review.publish(broker, patent)
    demand = f.demand(owner, publish_by=broker)
    regionless = published_achievements(org, 1, title="寒地玉米收获装备", region=None)[0]
    regionless_demand = Demand(org_id=org.id, title="黑土地保护性耕作需求", problem="秸秆覆盖还田。",
                               industry="agriculture", status="published", published_at=achievement.published_at)
    db.session.add(regionless_demand)
    db.session.commit()
    return {"org": org, "owner": owner, "achievement": achievement, "patent": patent, "demand": demand,
            "regionless": regionless, "regionless_demand": regionless_demand}


def test_rename_reaches_the_achievements_and_nothing_else(app, runner, holder, any_engine):
    org, achievement = holder["org"], holder["achievement"]
    indexer.drain(any_engine)
    both = sorted([achievement.id, holder["regionless"].id])
    assert hits(any_engine, OLD_NAME) == both
    patents, demands = any_engine.versions("patent"), any_engine.versions("demand")

    before = indexer.max_outbox_id()
    assert edit(org, name=NEW_NAME) == ["name"]
    # the edit writes two rows however many listings there are: the organisation, and "its achievements"
    assert rows_since(before) == {("organization", org.id), ("holder:achievement", org.id)}

    report = indexer.drain(any_engine)
    assert report.failed == 0 and report.queued == 2
    assert hits(any_engine, "长白山天池") == both
    assert hits(any_engine, "松花江") == []
    assert hits(any_engine, "长白山天池", kind="organization") == [org.id]
    # the listing's own version (its ETag) is unchanged; its document version counts the rename
    assert any_engine.versions("achievement")[achievement.id] == achievement.version + 1
    # patents and demands do not carry the name: not re-sent, versions unchanged
    assert any_engine.versions("patent") == patents and any_engine.versions("demand") == demands
    assert pending_rows() == []
    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code == 0, result.output


def test_retype_and_move_move_the_facet_counts(app, client, holder, any_engine):
    org = holder["org"]
    indexer.drain(any_engine)
    assert facets(any_engine, "achievement", "holder_type") == {"university": 2}
    assert facets(any_engine, "patent", "holder_type") == {"university": 1}

    before = indexer.max_outbox_id()
    assert sorted(edit(org, org_type="institute", region="210000")) == ["org_type", "region"]
    assert rows_since(before) == {("organization", org.id), ("holder:achievement", org.id),
                                  ("holder:patent", org.id), ("holder:demand", org.id), ("holder:challenge", org.id)}
    indexer.drain(any_engine)

    assert facets(any_engine, "achievement", "holder_type") == {"institute": 2}
    assert facets(any_engine, "patent", "holder_type") == {"institute": 1}
    # listings with a region of their own keep it; the region-less ones follow their organisation
    assert facets(any_engine, "achievement", "region") == {"220000": 1, "210000": 1}
    assert facets(any_engine, "demand", "region") == {"220000": 1, "210000": 1}
    # the search API (what the pages use) counts and filters the same way
    page = client.get("/api/v1/search/achievements?holder_type=institute&region=210000").get_json()
    assert [r["id"] for r in page["results"]] == [holder["regionless"].id]
    assert page["facets"]["holder_type"] == {"institute": 1}
    assert client.get("/api/v1/search/achievements?holder_type=university").get_json()["total"] == 0


def test_a_suspension_takes_every_listing_out_and_a_restore_puts_them_back(app, runner, holder, any_engine):
    org = holder["org"]
    admin = f.admin()
    db.session.commit()
    indexer.drain(any_engine)
    listed = {kind: set(any_engine.versions(kind)) for kind in ("achievement", "patent", "demand")}
    assert all(listed.values())

    before = indexer.max_outbox_id()
    admin_services.decide_organization(admin, org, "suspend", "资质核查")
    db.session.commit()
    assert rows_since(before) == {("organization", org.id), ("holder:achievement", org.id),
                                  ("holder:patent", org.id), ("holder:demand", org.id), ("holder:challenge", org.id)}
    assert indexer.drain(any_engine).failed == 0
    assert {kind: set(any_engine.versions(kind)) for kind in listed} == {kind: set() for kind in listed}
    assert runner.invoke(args=["search", "verify"]).exit_code == 0

    admin_services.decide_organization(admin, org, "restore")
    db.session.commit()
    assert indexer.drain(any_engine).failed == 0
    assert {kind: set(any_engine.versions(kind)) for kind in listed} == listed
    assert hits(any_engine, OLD_NAME) == sorted([holder["achievement"].id, holder["regionless"].id])
    assert runner.invoke(args=["search", "verify"]).exit_code == 0


def test_changes_the_documents_do_not_show_write_no_listing_rows(app, holder, search_engine):
    org = holder["org"]
    indexer.drain(search_engine)
    versions = {kind: search_engine.versions(kind) for kind in ("achievement", "patent", "demand")}

    before = indexer.max_outbox_id()
    assert sorted(edit(org, description="新的机构简介", website="https://example.cn")) == ["description", "website"]
    assert rows_since(before) == {("organization", org.id)}
    assert edit(org, name=OLD_NAME, org_type="university") == []  # the same values: no change at all
    # a move within the province (documents carry the province) is not a change for the listings either
    before = indexer.max_outbox_id()
    org.region = "220102"
    db.session.commit()
    assert rows_since(before) == {("organization", org.id)}

    indexer.drain(search_engine)
    assert {kind: search_engine.versions(kind) for kind in versions} == versions
    assert hits(search_engine, "新的机构简介", kind="organization") == [org.id]


def test_many_listings_edit_stays_small_and_the_drain_works_in_batches(app, holder, search_engine):
    org = holder["org"]
    published_achievements(org, 1200)
    db.session.commit()
    indexer.drain(search_engine)

    before = indexer.max_outbox_id()
    edit(org, name=NEW_NAME)
    assert len(rows_since(before)) == 2  # the organisation and "its achievements", not one row per listing

    report = indexer.drain(search_engine, batch_size=500)
    assert report.queued == 1202 and report.failed == 0 and not report.unavailable
    assert report.claimed == 2 + 1202  # the edit's rows, then the queued rows in batches of at most 500
    assert search_engine.search(SearchQuery(kind="achievement", text="长白山天池", size=1)).total == 1202
    assert search_engine.search(SearchQuery(kind="achievement", text="松花江", size=1)).total == 0
    assert pending_rows() == []
    assert search_engine.versions("achievement") == searchable_versions("achievement")


def test_an_older_state_never_overwrites_a_newer_one(app, holder, any_engine):
    """A slow indexer read the listing before the rename and pushes after a fast one pushed the new state; and
    a listing edit racing the rename. The engines keep the newest state whatever the order."""
    org, achievement = holder["org"], holder["achievement"]
    indexer.drain(any_engine)

    def read_now():  # what an indexer reads at this moment (the indexer's own loading and mapping)
        db.session.expire_all()
        return to_change(load_by_ids("achievement", [achievement.id])[achievement.id])

    before_rename = read_now()
    edit(org, name=NEW_NAME)
    after_rename = read_now()
    assert after_rename.version > before_rename.version
    achievements.update_achievement(holder["owner"], achievement, {"title": "固态电解质界面调控技术"},
                                    partial=True)  # a published listing: the edit waits for review
    review.publish_changes(SYSTEM, achievement)
    db.session.commit()
    after_both = read_now()
    assert after_both.version > after_rename.version

    indexer.drain(any_engine)  # pushes the newest state
    for stale in (before_rename, after_rename):  # late pushes of what slow indexers read earlier
        assert any_engine.bulk([stale]).items[0].ok  # accepted as "already newer", not an error
    assert hits(any_engine, "固态电解质") == [achievement.id]
    assert achievement.id in hits(any_engine, "长白山天池") and hits(any_engine, "松花江") == []
    assert any_engine.versions("achievement")[achievement.id] == after_both.version

    # the other order: the slow indexer's old state arrives first, then the current one wins over it
    edit(org, name="查干湖生态研究中心")
    stale = read_now()
    edit(org, name=NEW_NAME)
    any_engine.bulk([stale])
    indexer.drain(any_engine)
    assert achievement.id in hits(any_engine, "长白山天池") and hits(any_engine, "查干湖") == []


def test_a_listing_deleted_after_renames_leaves_no_document_behind(app, holder, search_engine):
    """Withdrawn and deleted before the indexer ran: the deletion outranks the document indexed at the listing's
    version plus the organisation's counters."""
    org, owner = holder["org"], holder["owner"]
    edit(org, name="查干湖生态研究中心")
    edit(org, name=NEW_NAME, org_type="institute")
    indexer.drain(search_engine)
    record = holder["achievement"]
    assert record.id in hits(search_engine, "长白山天池")
    review.withdraw(owner, record)
    achievements.delete_achievement(owner, record)
    db.session.commit()
    report = indexer.drain(search_engine)
    assert report.failed == 0
    assert record.id not in search_engine.versions("achievement")
    assert hits(search_engine, "长白山天池") == [holder["regionless"].id]


def test_verify_sees_and_repairs_listings_the_change_did_not_reach(app, runner, holder, any_engine):
    org = holder["org"]
    indexer.drain(any_engine)
    edit(org, name=NEW_NAME, org_type="enterprise")
    # the queued work is lost (a restored backup of the outbox, an operator's DELETE ...)
    db.session.execute(db.delete(OutboxEntry).where(OutboxEntry.kind.like("holder:%")))
    db.session.commit()
    indexer.drain(any_engine)
    assert hits(any_engine, "松花江") != []  # the documents still show the old organisation

    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code == 2, result.output
    assert "achievement: database 2, index 2; missing 0, stale 2, extra 0" in result.output
    assert "patent: database 1, index 1; missing 0, stale 1, extra 0" in result.output
    assert "demand: database 2, index 2; missing 0, stale 0, extra 0" in result.output  # region unchanged

    result = runner.invoke(args=["search", "verify", "--repair"])
    assert result.exit_code == 0, result.output
    assert hits(any_engine, "松花江") == [] and len(hits(any_engine, "长白山天池")) == 2
    assert facets(any_engine, "patent", "holder_type") == {"enterprise": 1}
    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code == 0 and result.output.count("missing 0, stale 0, extra 0") == len(KINDS), \
        result.output


def test_reindex_during_a_pending_change_and_the_drain_after_it_agree(app, runner, holder, any_engine):
    org = holder["org"]
    indexer.drain(any_engine)
    edit(org, name=NEW_NAME, region="210000")
    result = runner.invoke(args=["search", "reindex"])  # reads the new state; the holder rows are still pending
    assert result.exit_code == 0, result.output
    assert hits(any_engine, "长白山天池") == sorted([holder["achievement"].id, holder["regionless"].id])
    report = indexer.drain(any_engine)  # re-sends the same versions: ignored, nothing breaks
    assert report.failed == 0 and report.queued == 5
    result = runner.invoke(args=["search", "verify"])
    assert result.exit_code == 0, result.output
    assert {kind: any_engine.versions(kind) for kind in ("achievement", "patent", "demand")} == \
        {kind: searchable_versions(kind) for kind in ("achievement", "patent", "demand")}


def test_document_versions_in_the_database_match_the_documents(app, holder):
    """`flask search verify` computes document versions in SQL; the indexer computes them from the records."""
    org = holder["org"]
    edit(org, name=NEW_NAME)
    edit(org, org_type="enterprise", region="210000")
    for kind, model in (("achievement", Achievement), ("patent", Patent), ("demand", Demand)):
        ids = list(db.session.execute(db.select(model.id).where(model.status == "published")).scalars())
        from_records = {i: to_change(r).version for i, r in load_by_ids(kind, ids).items()}
        assert searchable_versions(kind) == from_records, kind
