"""The registry of record kinds: one entry per kind of record the site lists, reviews, indexes or attaches files to.

Everything that used to keep its own map from a kind's name to its model (review queue, API paths, attachments,
workspace tabs, search documents) asks here.
"""
from __future__ import annotations

from dataclasses import dataclass

from .accounts.models import Organization
from .achievements.models import Achievement
from .challenges.models import Challenge
from .demands.models import Demand
from .patents.models import Patent
from .web.messages import N_
from .workflow import Lifecycle
from .workflow import challenges as challenge_lifecycles
from .workflow import listings as listing_lifecycles


@dataclass(frozen=True)
class RecordKind:
    name: str  # "achievement": search kind, audit prefix, review kind
    model: type
    collection: str  # "achievements": URL segment, blueprint name, workspace tab
    label: str  # N_ msgid, e.g. "科技成果"
    lifecycle: Lifecycle | None = None
    attachments: bool = False  # records of this kind carry files
    show_arg: str = "record_id"  # the detail page's URL argument
    searchable: bool = True  # indexed through the outbox (marketplace.indexing)
    api_collection: str = ""  # the JSON API's path segment, if not ``collection``

    @property
    def api_path(self) -> str:
        return self.api_collection or self.collection

    @property
    def show_endpoint(self) -> str:
        return f"{self.collection}.show"

    @property
    def edit_endpoint(self) -> str:
        return f"{self.collection}.edit"

    @property
    def action_endpoint(self) -> str:
        return f"{self.collection}.action"


ACHIEVEMENT = RecordKind("achievement", Achievement, "achievements", N_("科技成果"), listing_lifecycles.ACHIEVEMENT,
                         attachments=True)
PATENT = RecordKind("patent", Patent, "patents", N_("专利"), listing_lifecycles.PATENT, attachments=True)
DEMAND = RecordKind("demand", Demand, "demands", N_("技术需求"), listing_lifecycles.DEMAND, attachments=True)
CHALLENGE = RecordKind("challenge", Challenge, "challenges", N_("揭榜挂帅"), challenge_lifecycles.CHALLENGE,
                       attachments=True)
ORGANIZATION = RecordKind("organization", Organization, "orgs", N_("机构"), show_arg="org_id",
                          api_collection="organizations")

KINDS: dict[str, RecordKind] = {kind.name: kind for kind in (ACHIEVEMENT, PATENT, DEMAND, CHALLENGE, ORGANIZATION)}
#: The kinds that go through the listing lifecycle and the review queue, in queue order.
LISTING_KINDS: dict[str, RecordKind] = {name: kind for name, kind in KINDS.items() if kind.lifecycle is not None}
#: The kinds with search documents (marketplace.indexing), in index order.
SEARCHABLE_KINDS: dict[str, RecordKind] = {name: kind for name, kind in KINDS.items() if kind.searchable}
BY_COLLECTION: dict[str, RecordKind] = {kind.collection: kind for kind in KINDS.values()}
_BY_MODEL: dict[type, RecordKind] = {kind.model: kind for kind in KINDS.values()}


def get(name: str) -> RecordKind:
    return KINDS[name]


def of(record) -> RecordKind:
    """The kind of a record (or of a model class)."""
    return _BY_MODEL[record if isinstance(record, type) else type(record)]
