"""The registry of record kinds: one entry per kind of record the site lists, reviews, indexes or attaches files to.

Everything that used to keep its own map from a kind's name to its model (review queue, API paths, attachments,
workspace tabs, search documents) asks here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .accounts.models import Organization
from .achievements.models import Achievement
from .challenges.models import Challenge, ChallengeApplication, ChallengeMilestone
from .deals.models import Deal
from .demands.models import Demand
from .errors import NotFound
from .inquiries.models import Inquiry
from .patents.models import Patent
from .permissions import (can_see_application, can_see_deal, can_see_listing, can_see_milestone, in_inquiry_thread,
                          owns)
from .web.messages import N_
from .workflow import Lifecycle
from .workflow import challenges as challenge_lifecycles
from .workflow import deals as deal_lifecycles
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
    listed: bool = True  # goes through the listing lifecycle, the review queue and the workspace (with a lifecycle)
    can_see: Callable[[Any, Any], bool] = can_see_listing  # (user, record): who sees it (and its files); else 404
    #: The transition of ``lifecycle`` whose permission and state rule who may add or delete files now; empty: the
    #: owning organisation's members, in any state (the listings' rule).
    attach_transition: str = ""
    endpoint: str = ""  # the detail page's endpoint, if not ``<collection>.show``
    show_values: Callable[[Any], dict] | None = None  # the detail page's URL arguments, if not ``{show_arg: id}``
    org_of: Callable[[Any], int] | None = None  # the organisation a record's files belong to, if not ``org_id``

    def can_attach(self, user, record) -> bool:
        """``user`` may add files to ``record`` (or delete them) now."""
        if self.attach_transition:
            return self.lifecycle.can(user, record, self.attach_transition)
        return self.can_see(user, record) and owns(user, record)

    def check_attach(self, user, record) -> None:
        """Raise what ``user`` gets for adding files to ``record`` now: 404 if they may not see it, else 403 or 409
        naming who may and when (listings: 404 for anyone outside the owning organisation, as before)."""
        if not self.can_see(user, record):
            raise NotFound()
        if self.attach_transition:
            self.lifecycle.check(user, record, self.attach_transition)
        elif not owns(user, record):
            raise NotFound()

    def url_values(self, record) -> dict:
        """The detail page's URL arguments for ``record``."""
        return self.show_values(record) if self.show_values else {self.show_arg: record.id}

    def org_id_of(self, record) -> int:
        return self.org_of(record) if self.org_of else record.org_id

    @property
    def api_path(self) -> str:
        return self.api_collection or self.collection

    @property
    def show_endpoint(self) -> str:
        return self.endpoint or f"{self.collection}.show"

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
#: 揭榜 applications and milestones carry files but are private: seen as the application is (the applicant, its
#: consortium, the issuer, assigned reviewers, staff), added to by the team while the application is editable or the
#: milestone awaits its evidence. Not listings: no review queue, workspace tab or search document.
CHALLENGE_APPLICATION = RecordKind(
    "challenge_application", ChallengeApplication, "challenge-applications", N_("揭榜申请"),
    challenge_lifecycles.APPLICATION, attachments=True, show_arg="application_id", searchable=False, listed=False,
    can_see=can_see_application, attach_transition="edit", endpoint="challenges.application",
    show_values=lambda application: {"record_id": application.challenge_id, "application_id": application.id})
CHALLENGE_MILESTONE = RecordKind(
    "challenge_milestone", ChallengeMilestone, "challenge-milestones", N_("里程碑"), challenge_lifecycles.MILESTONE,
    attachments=True, show_arg="milestone_id", searchable=False, listed=False, can_see=can_see_milestone,
    attach_transition="submit_evidence", endpoint="challenges.milestone",
    org_of=lambda milestone: milestone.agreement.application.org_id)

#: An inquiry's files are seen by its thread and added while it is open; a contract's by its parties and staff,
#: added by staff while it may be edited.
INQUIRY = RecordKind(
    "inquiry", Inquiry, "inquiries", N_("洽谈"), deal_lifecycles.INQUIRY, attachments=True, searchable=False,
    listed=False, can_see=in_inquiry_thread, attach_transition="post")
DEAL = RecordKind(
    "deal", Deal, "deals", N_("技术合同"), deal_lifecycles.DEAL, attachments=True, searchable=False, listed=False,
    can_see=can_see_deal, attach_transition="edit", org_of=lambda deal: deal.org_id or 0)

KINDS: dict[str, RecordKind] = {kind.name: kind for kind in (ACHIEVEMENT, PATENT, DEMAND, CHALLENGE, ORGANIZATION,
                                                             CHALLENGE_APPLICATION, CHALLENGE_MILESTONE, INQUIRY,
                                                             DEAL)}
#: The kinds that go through the listing lifecycle and the review queue, in queue order.
LISTING_KINDS: dict[str, RecordKind] = {name: kind for name, kind in KINDS.items()
                                        if kind.listed and kind.lifecycle is not None}
#: The kinds with search documents (marketplace.indexing), in index order.
SEARCHABLE_KINDS: dict[str, RecordKind] = {name: kind for name, kind in KINDS.items() if kind.searchable}
_BY_MODEL: dict[type, RecordKind] = {kind.model: kind for kind in KINDS.values()}


def get(name: str) -> RecordKind:
    return KINDS[name]


def of(record) -> RecordKind:
    """The kind of a record (or of a model class)."""
    return _BY_MODEL[record if isinstance(record, type) else type(record)]
