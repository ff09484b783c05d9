"""Loading the demo dataset (:func:`marketplace.demo.dataset.demo_dataset`) through the real services.

Records are created by the same verbs the web forms use (so they are validated, audited and written to the search
outbox), then given the status the dataset asks for, as a reviewer would have. Loading is idempotent: organisations
(by name), users (by e-mail), patents (by number), achievements (by organisation and external id) and demands (by
organisation and title) that already exist are skipped. Users are created directly with a password hash computed once
per distinct password: argon2 takes about 50 ms a hash by design, which would dominate the load otherwise.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from ..accounts.auth import hash_password
from ..accounts.models import Membership, Organization, User
from ..accounts.services import create_organization
from ..achievements.models import Achievement
from ..achievements.schemas import AchievementInput
from ..achievements.services import create_achievement
from ..audit.services import record
from ..demands.models import Demand
from ..demands.schemas import DemandInput
from ..demands.services import create_demand
from ..errors import ValidationFailed
from ..extensions import db
from ..listings import ARCHIVED, CLOSED, PUBLISHED, REJECTED, SUBMITTED
from ..patents.models import Patent
from ..patents.schemas import PatentInput
from ..patents.services import create_patent, declare_open_licence
from ..timeutil import utcnow

KINDS = ("organizations", "users", "patents", "achievements", "demands")
DEFAULT_REJECT_REASON = "材料不完整：请补充关键技术指标的检测报告后重新提交。"
WAS_PUBLISHED = {PUBLISHED, ARCHIVED, CLOSED}


class DemoDataError(RuntimeError):
    """The dataset does not fit the services' rules (a bug in the dataset, reported with the record)."""


class _OrgActor:
    """Stands in for a member of ``org`` when a record names no owner: services only look at these attributes."""

    is_authenticated = True
    id = None
    platform_role = None
    is_broker = is_admin = False

    def __init__(self, org: Organization):
        self.organization = org
        self.org_id = org.id


def database_is_empty() -> bool:
    """True when no organisation exists (``flask demo load --if-empty`` then loads)."""
    return db.session.execute(db.select(Organization.id).limit(1)).first() is None


def _plain(value):
    """Dates as ISO strings and Decimals as strings: the input schemas take what a form would send."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _input(item: dict, schema) -> dict:
    return {name: _plain(item[name]) for name in schema._declared_fields if name in item}


def _create(kind: str, key, create, *args, **kwargs):
    try:
        return create(*args, **kwargs)
    except ValidationFailed as error:
        raise DemoDataError(f"演示数据有误（{kind} {key}）：{error.errors or error.message}") from None


class DemoLoader:
    """Loads one dataset; ``counts`` says what was created and what was already there."""

    def __init__(self, dataset: dict, seed: int):
        self.dataset = dataset
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = utcnow()
        self.counts = {kind: {"created": 0, "skipped": 0} for kind in KINDS}
        self.orgs: dict[str, Organization] = {}
        self.users: dict[str, User] = {}
        self.patent_ids: dict[str, int] = {}

    def _count(self, kind: str, created: bool) -> None:
        self.counts[kind]["created" if created else "skipped"] += 1

    def _actor(self, item: dict, org: Organization):
        owner = self.users.get((item.get("owner") or "").strip().lower())
        return owner if owner is not None and owner.org_id == org.id else _OrgActor(org)

    def _org(self, kind: str, item: dict) -> Organization:
        org = self.orgs.get(item.get("org"))
        if org is None:
            raise DemoDataError(f"演示数据有误（{kind} {item.get('title') or item.get('number')}）：机构不存在 {item.get('org')}")
        return org

    # -- the steps, in dependency order ------------------------------------------------------------------------
    def organizations(self) -> None:
        self.orgs = {o.name: o for o in db.session.execute(db.select(Organization)).scalars()}
        for item in self.dataset.get("organizations", []):
            exists = item["name"] in self.orgs
            if not exists:
                self.orgs[item["name"]] = _create("organization", item["name"], create_organization, item["name"],
                                                  item["org_type"], item["region"], item.get("description"),
                                                  item.get("website"), credit_code=item.get("credit_code"))
            self._count("organizations", not exists)

    def users_(self) -> None:
        self.users = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
        hashes: dict[str, str] = {}
        for item in self.dataset.get("users", []):
            email = item["email"].strip().lower()
            exists = email in self.users
            if not exists:
                password = item["password"]
                if password not in hashes:
                    hashes[password] = hash_password(password)
                user = User(email=email, name=item["name"], password_hash=hashes[password],
                            platform_role=item.get("platform_role"), email_verified_at=self.now)
                if item.get("org"):
                    user.membership = Membership(organization=self._org("user", item),
                                                 role=item.get("org_role") or "member")
                db.session.add(user)
                self.users[email] = user
            self._count("users", not exists)
        db.session.flush()

    def patents(self) -> None:
        self.patent_ids = dict(db.session.execute(db.select(Patent.number, Patent.id)).all())
        for item in self.dataset.get("patents", []):
            number = item["number"].strip().upper().replace(" ", "")
            exists = number in self.patent_ids
            if not exists:
                org = self._org("patent", item)
                actor = self._actor(item, org)
                patent = _create("patent", number, create_patent, actor, _input(item, PatentInput))
                if item.get("open_licence"):
                    _create("open_licence", number, declare_open_licence, actor, patent,
                            {k: _plain(v) for k, v in item["open_licence"].items()})
                self._set_status(patent, item.get("status"), None)
                self.patent_ids[number] = patent.id
            self._count("patents", not exists)

    def achievements(self) -> None:
        existing = set(db.session.execute(db.select(Achievement.org_id, Achievement.external_id)).all())
        for item in self.dataset.get("achievements", []):
            org = self._org("achievement", item)
            exists = (org.id, item.get("external_id")) in existing and item.get("external_id") is not None
            if not exists:
                data = _input(item, AchievementInput)
                numbers = [n.strip().upper().replace(" ", "") for n in item.get("patent_numbers") or []]
                data["patent_ids"] = [self.patent_ids[n] for n in numbers if n in self.patent_ids]
                achievement = _create("achievement", item.get("external_id") or item["title"], create_achievement,
                                      self._actor(item, org), data)
                self._set_status(achievement, item.get("status"), item.get("published_year"))
                if item.get("quality_year"):
                    achievement.quality_year = int(item["quality_year"])
                    achievement.quality_marked_at = self._moment_in(int(item["quality_year"]))
                existing.add((org.id, item.get("external_id")))
            self._count("achievements", not exists)

    def demands(self) -> None:
        existing = set(db.session.execute(db.select(Demand.org_id, Demand.title)).all())
        for item in self.dataset.get("demands", []):
            org = self._org("demand", item)
            exists = (org.id, item["title"]) in existing
            if not exists:
                demand = _create("demand", item["title"], create_demand, self._actor(item, org),
                                 _input(item, DemandInput))
                self._set_status(demand, item.get("status"), None)
                existing.add((org.id, item["title"]))
            self._count("demands", not exists)

    # -- statuses and dates ------------------------------------------------------------------------------------
    def _moment_in(self, year: int) -> datetime:
        """A deterministic moment within ``year`` (never in the future)."""
        start = datetime(year, 1, 1, 8)
        end = min(datetime(year, 12, 31, 18), self.now)
        if end <= start:
            return min(start, self.now)
        return start + timedelta(seconds=self.rng.randrange(int((end - start).total_seconds())))

    def _recent_moment(self) -> datetime:
        return self.now - timedelta(days=self.rng.randint(3, 300), minutes=self.rng.randint(0, 1440))

    def _set_status(self, listing, status: str | None, published_year: int | None) -> None:
        """Give ``listing`` the dataset's status with believable dates, as if it had gone through review."""
        status = status or "draft"
        if status in WAS_PUBLISHED:
            published = self._moment_in(int(published_year)) if published_year else self._recent_moment()
            listing.published_at = published
            listing.submitted_at = published - timedelta(days=self.rng.randint(1, 7))
            listing.created_at = listing.submitted_at - timedelta(days=self.rng.randint(1, 30))
        elif status in (SUBMITTED, REJECTED):
            listing.submitted_at = self.now - timedelta(days=self.rng.randint(1, 20))
            listing.created_at = listing.submitted_at - timedelta(days=self.rng.randint(1, 10))
        if status == REJECTED:
            listing.reject_reason = DEFAULT_REJECT_REASON
        listing.updated_at = max(listing.created_at, listing.published_at or listing.submitted_at or listing.created_at)
        listing.status = status

    def run(self) -> dict:
        self.organizations()
        self.users_()
        self.patents()
        self.achievements()
        self.demands()
        if self.dataset.get("challenges"):  # 揭榜挂帅 at every stage, through the challenge services
            from .challenges import load_challenges

            db.session.flush()
            self.counts["challenges"] = load_challenges(self, self.dataset["challenges"])
        if self.dataset.get("deals"):  # inquiries, contracts over four years, the pipeline, open-licence licences
            from .deals import load_deals

            db.session.flush()
            self.counts.update(load_deals(self, self.dataset["deals"]))
        db.session.flush()
        created = {kind: c["created"] for kind, c in self.counts.items()}
        if any(created.values()):
            record(None, "demo.load", next(iter(self.orgs.values())), {"created": created})
        return self.counts


def load_demo(seed: int = 2026, dataset: dict | None = None) -> dict[str, dict[str, int]]:
    """Load the demo dataset (``demo_dataset(seed)`` unless ``dataset`` is given); the caller commits.

    Returns ``{kind: {"created": n, "skipped": m}}`` for organizations, users, patents, achievements, demands (and
    challenges, and inquiries, deals, opportunities and licences, when the dataset has them).
    """
    if dataset is None:
        from .dataset import demo_dataset

        dataset = demo_dataset(seed=seed)
    return DemoLoader(dataset, seed).run()
