"""Mapping records to search documents: exactly the schema's fields, facet codes, deletions for non-public ones."""
from marketplace.extensions import db
from marketplace.indexing.documents import HOLDER_FIELDS, HOLDER_VIEWS, province, to_change, to_document
from marketplace.indexing.models import OutboxEntry
from marketplace.patents import services as patents
from marketplace.review import services as review
from search.engine import Deletion, Document
from search.schema import KINDS
from tests import factories as f
from tests.challenges.helpers import published_challenge

LICENCE = {"fee_terms": "入门费5万元 + 销售额2%提成", "term_years": 5, "scope": "中国大陆，非独占"}


def test_achievement_document_has_exactly_the_schema_fields_and_facet_codes(ctx):
    owner = f.user(f.organization("institute", region="220000"))
    record = f.achievement(owner, publish_by=f.broker(), price_amount="120")
    doc = to_document(record)
    assert isinstance(doc, Document) and doc.version == record.version
    assert set(doc.fields) == set(KINDS["achievement"])
    fields = doc.fields
    assert fields["technical_field"] == "new_materials" and fields["trl_band"] == "4-6" and fields["trl"] == 6
    assert fields["region"] == "220000"
    assert province("220104") == "220000" and province(None) is None  # facets are province-level
    assert fields["holder_type"] == "institute" and fields["org_name"] == owner.organization.name
    assert fields["price"] == 120.0 and fields["price_band"] == "50-200"
    assert fields["year"] == record.published_at.year
    assert fields["open_licence"] is False and fields["high_quality"] is False
    assert fields["suggest"] == [record.title, *record.keywords]
    assert "新材料" in fields["industries_text"] and "能源电力" in fields["industries_text"]


def test_negotiable_price_and_every_kind_maps_to_schema_fields(ctx):
    owner = f.user(f.organization())
    broker = f.broker()
    achievement = f.achievement(owner, publish_by=broker, price_amount=None)
    assert to_document(achievement).fields["price_band"] == "negotiable"
    assert "price" not in to_document(achievement).fields or to_document(achievement).fields["price"] is None
    demand = f.demand(f.user(f.organization("enterprise")), publish_by=broker)
    patent = f.patent(owner, ipc_codes=["H01M 4/36", "H01M 10/0525"])
    review.submit(owner, patent)
    review.publish(broker, patent)
    for record in (demand, patent, owner.organization):
        doc = to_change(record)
        assert isinstance(doc, Document)
        assert set(doc.fields) == set(KINDS[doc.kind]), doc.kind
    assert to_document(patent).fields["ipc"] == ["H01M"]


def test_unpublished_records_become_deletions(ctx):
    owner = f.user(f.organization())
    draft = f.achievement(owner)
    change = to_change(draft)
    assert isinstance(change, Deletion) and change.version == draft.version


def test_open_licence_sets_the_facet_and_versions_linked_achievements(ctx):
    owner = f.user(f.organization())
    broker = f.broker()
    patent = f.patent(owner)
    record = f.achievement(owner, publish_by=broker, patent_ids=[patent.id])
    db.session.flush()
    before = record.version
    patents.declare_open_licence(owner, patent, LICENCE)
    db.session.flush()
    assert record.version > before  # the engine keeps the newest version: a derived change needs a new one
    assert to_document(record).fields["open_licence"] is True
    rows = db.session.execute(db.select(OutboxEntry).where(OutboxEntry.kind == "achievement",
                                                           OutboxEntry.record_id == record.id)).scalars().all()
    assert max(r.version for r in rows) == record.version


def test_holder_fields_name_exactly_the_organisation_data_each_listing_kind_copies(ctx):
    """HOLDER_FIELDS decides which listings an organisation change re-indexes: it must agree with the mapping.
    Each organisation attribute is changed in turn (on region-less listings, which show the organisation's
    province); a kind's documents change exactly for the attributes HOLDER_FIELDS names for it."""
    org = f.organization("enterprise", region="220000")  # enterprises hold every kind, challenges included
    owner = f.user(org)
    broker = f.broker()
    records = {"achievement": f.achievement(owner, publish_by=broker), "demand": f.demand(owner, publish_by=broker)}
    patent = f.patent(owner)
    review.submit(owner, patent)
    review.publish(broker, patent)
    records["patent"] = patent
    records["challenge"] = published_challenge(owner, broker)
    for record in records.values():
        record.region = None
    db.session.flush()
    assert set(HOLDER_FIELDS) == set(records) and set(HOLDER_VIEWS) == {"name", "org_type", "region", "status"}
    changes = {"name": "另一个机构名称", "org_type": "government", "region": "210000",
               "description": "简介不在任何成果、专利或需求的文档里", "website": "https://example.cn"}
    for attribute, value in changes.items():
        before = {kind: to_document(r).fields for kind, r in records.items()}
        setattr(org, attribute, value)
        after = {kind: to_document(r).fields for kind, r in records.items()}
        for kind in records:
            assert (before[kind] != after[kind]) == (attribute in HOLDER_FIELDS[kind]), (kind, attribute)
    # a suspension takes every kind's documents out of the index (and a restore puts them back)
    org.status = "suspended"
    assert all(isinstance(to_change(r), Deletion) and "status" in HOLDER_FIELDS[kind] for kind, r in records.items())
    org.status = "verified"
    assert all(isinstance(to_change(r), Document) for r in records.values())
