"""Subscriptions and notifications.

A *saved search* (text + facet filters over achievements, patents, demands or challenges,
:mod:`marketplace.alerts.saved_searches`) is registered with the engine's percolator of its kind under the
subscription id; a *followed demand* is evaluated with the matcher. When the indexer has pushed documents it calls
:func:`on_documents_indexed`; every newly published record that a subscription matches becomes one in-app
notification per subscriber (never twice for the same record) and, when the subscriber wants it, an e-mail.

E-mail is never sent here: a notification to be mailed is marked "queued" in the same transaction, and the mail
queue's sender (:mod:`marketplace.alerts.delivery`) delivers it in the background, with retries.
"""
from __future__ import annotations

import logging
from typing import Iterable

from sqlalchemy import func

from search.engine import Document, SearchUnavailable

from ..records import get_visible
from ..accounts.models import Membership, User
from ..achievements.models import Achievement
from ..demands.models import Demand
from ..errors import NotFound
from ..extensions import db
from ..indexing.indexer import documents_indexed, index_rebuilt
from ..indexing.records import load_public_in_order
from ..indexing.runtime import get_engine
from ..listings import PUBLISHED
from ..matching import explain
from ..matching.services import matches_for_demand
from ..matching.signals import match_recommended
from ..timeutil import utcnow
from .messages import N_, Lines, Message, Text, locale_of, render_for
from .models import ACCOUNT_MAIL, DEMAND, MAIL_QUEUED, SEARCH, Notification, Subscription
from .saved_searches import (MAX_SUBSCRIPTIONS, SEARCH_KINDS, WORDLESS, WORDLESS_WITH_FILTERS,  # noqa: F401
                             check_quota, matching, oldest_subscription, register, require_user, save_search,
                             sync_saved_queries)

log = logging.getLogger(__name__)

FOLLOW_TOP = 20  # a new achievement "matches" a followed demand when it ranks among the demand's top matches


# -- subscriptions ---------------------------------------------------------------------------------------------------

def follow_demand(user, demand: Demand, email: bool = True) -> Subscription:
    """Follow a demand's matches (idempotent: following twice keeps one subscription)."""
    require_user(user)
    get_visible(Demand, demand.id, user)
    existing = db.session.execute(db.select(Subscription).where(
        Subscription.user_id == user.id, Subscription.kind == DEMAND, Subscription.demand_id == demand.id)
    ).scalar_one_or_none()
    if existing is not None:
        existing.active = True
        return existing
    check_quota(user)
    subscription = Subscription(user_id=user.id, kind=DEMAND, name=f"需求匹配：{demand.title}"[:200],
                                demand_id=demand.id, filters={}, email=bool(email))
    db.session.add(subscription)
    db.session.flush()
    return subscription


def subscription_of(user, subscription_id: int) -> Subscription:
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or subscription.user_id != getattr(user, "id", None):
        raise NotFound()
    return subscription


def unsubscribe(user, subscription: Subscription) -> None:
    if subscription.user_id != getattr(user, "id", None):
        raise NotFound()
    if subscription.kind == SEARCH:
        try:
            get_engine().delete_query(subscription.id)
        except SearchUnavailable:
            log.warning("saved query %s not removed from the engine (unavailable)", subscription.id)
    db.session.delete(subscription)


def subscriptions_of(user) -> list[Subscription]:
    return list(db.session.execute(db.select(Subscription).where(Subscription.user_id == user.id)
                                   .order_by(Subscription.created_at.desc())).scalars())


def following(user, demand: Demand) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.execute(db.select(Subscription.id).where(
        Subscription.user_id == user.id, Subscription.demand_id == demand.id, Subscription.active.is_(True))
    ).first() is not None


# -- notifications ---------------------------------------------------------------------------------------------------

def notify(user_id: int, category: str, title: Text, *, body: Text | None = None, link: str | None = None,
           subject: tuple[str, int] | None = None, subscription: Subscription | None = None,
           email: bool = False) -> Notification | None:
    """Add a notification; None when the same alert (user, subscription, record) was already sent. ``title`` and
    ``body``: :class:`~.messages.Message` (or lines, labels: see :mod:`.messages`), written here in the
    recipient's language; plain text is stored as it is. ``email``: queue it for the mail sender as well (part of
    the caller's transaction; nothing is sent here)."""
    subject_type, subject_id = subject if subject else (None, None)
    if subscription is not None and subject is not None:
        exists = db.session.execute(db.select(Notification.id).where(
            Notification.user_id == user_id, Notification.category == category,
            Notification.subscription_id == subscription.id, Notification.subject_type == subject_type,
            Notification.subject_id == subject_id)).first()
        if exists:
            return None
    locale = locale_of(db.session.get(User, user_id))
    title, body = render_for(title, locale), render_for(body, locale)
    notification = Notification(user_id=user_id, category=category, title=title[:300], body=body, link=link,
                                subject_type=subject_type, subject_id=subject_id,
                                subscription_id=subscription.id if subscription is not None else None)
    if email:
        notification.email_state, notification.email_next_at = MAIL_QUEUED, utcnow()
    db.session.add(notification)
    return notification


def _members(org_id: int) -> list[User]:
    return list(db.session.execute(db.select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id == org_id, User.active.is_(True))).scalars())


def notify_members(org_ids, title: Text, *, category: str = "system", body: Text | None = None,
                   link: str | None = None, subject: tuple[str, int] | None = None, email: bool = True) -> int:
    """Notify every active member of the organisations ``org_ids`` once (in-app, and queued for e-mail unless
    ``email`` is false), each in their language (see :func:`notify`); returns the number of notifications."""
    user_ids = {user.id for org_id in dict.fromkeys(org_ids) if org_id is not None for user in _members(org_id)}
    for user_id in sorted(user_ids):
        notify(user_id, category, title, body=body, link=link, subject=subject, email=email)
    return len(user_ids)


#: the recommended record's kind -> (title for the demand's side, title for the record's side)
RECOMMENDED = {
    "achievement": (N_("技术经纪人为您的需求「%(demand)s」推荐了科技成果「%(target)s」"),
                    N_("技术经纪人把您的科技成果「%(target)s」推荐给需求「%(demand)s」")),
    "patent": (N_("技术经纪人为您的需求「%(demand)s」推荐了开放许可专利「%(target)s」"),
               N_("技术经纪人把您的开放许可专利「%(target)s」推荐给需求「%(demand)s」")),
}
BROKER_NOTE = N_("经纪人说明：%(note)s")
#: the facts of a match's explanation from which its reasons are written (marketplace.matching.explain.facts)
FACTS = ("matched_terms", "technical_field", "industry", "trl", "price", "region")


class MatchReasons:
    """A match's reasons as "· …" lines in the reader's language, written again from the explanation's facts
    (an explanation without them: its stored sentences)."""

    def __init__(self, explanation: dict | None, kind: str = "achievement"):
        self.explanation = explanation or {}
        self.price_label = "年许可费" if kind == "patent" else "报价"

    def render(self) -> str:
        data = self.explanation
        sentences = (explain.reasons(data, self.price_label) if all(key in data for key in FACTS)
                     else data.get("reasons") or [])
        return "\n".join("· " + sentence for sentence in sentences)


def notify_recommendation(demand: Demand, kind: str, target, note: str | None, explanation: dict) -> int:
    """Tell both parties that a broker recommends this pair (in-app, and queued for e-mail); returns the number
    of notifications."""
    to_demand, to_target = RECOMMENDED["achievement" if kind == "achievement" else "patent"]
    names = {"demand": demand.title, "target": target.title}
    body = Lines(MatchReasons(explanation, kind), Message(BROKER_NOTE, note=note) if note else None)
    created = []
    for user in _members(demand.org_id):
        created.append(notify(user.id, "recommendation", Message(to_demand, **names), body=body,
                              link=f"/{kind}s/{target.id}", subject=(kind, target.id), email=True))
    for user in _members(target.org_id):
        created.append(notify(user.id, "recommendation", Message(to_target, **names), body=body,
                              link=f"/demands/{demand.id}", subject=("demand", demand.id), email=True))
    notifications = [n for n in created if n is not None]
    db.session.flush()
    return len(notifications)


def unread_count(user) -> int:
    """Unread notifications of ``user`` (0 for anonymous visitors) — for the page header badge."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.execute(db.select(func.count()).select_from(Notification).where(
        *_listed(user), Notification.read_at.is_(None))).scalar_one()


def _listed(user) -> tuple:
    """The notifications of ``user`` shown in-app: all but account e-mails (see ACCOUNT_MAIL)."""
    return Notification.user_id == user.id, Notification.category != ACCOUNT_MAIL


def listed_notification(user, notification_id: int) -> Notification:
    """One in-app notification of ``user``; 404 for anyone else's, a missing id and account e-mails."""
    notification = db.session.execute(
        db.select(Notification).where(Notification.id == notification_id, *_listed(user))).scalar_one_or_none()
    if notification is None:
        raise NotFound()
    return notification


def notifications_query(user, unread_only: bool = False):
    query = db.select(Notification).where(*_listed(user))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the given notifications (or all) of ``user`` read; returns how many changed."""
    query = db.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    return db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount


# -- the indexer hook --------------------------------------------------------------------------------------------------

def on_documents_indexed(documents: Iterable[Document]) -> int:
    """Call after the indexer pushed ``documents`` successfully (and committed). Creates the alerts for newly
    published achievements, patents, demands and challenges that saved searches match, and for achievements that
    followed demands match, and commits them (those whose subscription wants e-mail queued for the mail sender).
    Never raises: alert trouble must not stop indexing. Returns the number of notifications created."""
    try:
        documents = list(documents)
        created: list[Notification] = []
        for kind in SEARCH_KINDS:
            records, alerts = _saved_search_alerts(kind, [d for d in documents if d.kind == kind])
            created += alerts
            if kind == "achievement" and records:
                created += _followed_demand_alerts(records)
        db.session.commit()
        return len(created)
    except Exception:  # noqa: BLE001 - see docstring
        db.session.rollback()
        log.exception("alerts for indexed documents failed")
        return 0


#: search kind -> the alert's title; ``%(name)s`` the subscription's name, ``%(title)s`` the new record's
ALERT_TITLES = {"achievement": N_("新成果符合您的订阅「%(name)s」"), "patent": N_("新专利符合您的订阅「%(name)s」"),
                "demand": N_("新技术需求符合您的订阅「%(name)s」"),
                "challenge": N_("有新的揭榜挂帅榜单符合您的订阅：%(title)s")}
ALERT_SUBSCRIPTION = N_("订阅「%(name)s」")  # the body of a challenge's alert
FOLLOWED_DEMAND_MATCH = N_("您关注的需求「%(title)s」有新的匹配成果")


def _saved_search_alerts(kind: str, documents: list[Document]) -> tuple[dict[int, object], list[Notification]]:
    """The newly published records of ``kind`` among ``documents`` (by id) and the alerts of the saved searches
    over ``kind`` that they match."""
    if not documents:
        return {}, []
    oldest = oldest_subscription(kind)
    if oldest is None:  # nobody subscribed: skip the per-document work (bulk imports index many documents)
        return {}, []
    # Only records published after the oldest active subscription can alert anyone (see _alert): re-sent older
    # ones (an edit, or their organisation renamed: thousands at once) are not percolated at all.
    records = {r.id: r for r in load_public_in_order(kind, [d.id for d in documents])
               if r.published_at is not None and r.published_at >= oldest}
    created: list[Notification] = []
    engine = get_engine()
    for document in documents:
        record = records.get(document.id)
        if record is None:
            continue
        for sub in matching(engine, document):
            title = Message(ALERT_TITLES[kind], name=sub.name, title=record.title)
            body = Message(ALERT_SUBSCRIPTION, name=sub.name) if kind == "challenge" else None
            created += _alert(sub, record, title, body=body, kind=kind)
    return records, created


def _followed_demand_alerts(records: dict[int, Achievement]) -> list[Notification]:
    """Alerts for followed demands among whose top matches a newly published achievement ranks."""
    created: list[Notification] = []
    follows = list(db.session.execute(db.select(Subscription).join(Demand, Demand.id == Subscription.demand_id)
                                      .where(Subscription.kind == DEMAND, Subscription.active.is_(True),
                                             Demand.status == PUBLISHED)).scalars())
    by_demand: dict[int, list[Subscription]] = {}
    for sub in follows:
        by_demand.setdefault(sub.demand_id, []).append(sub)
    for subs in by_demand.values():
        demand = subs[0].demand
        for candidate in matches_for_demand(demand, size=FOLLOW_TOP):
            if candidate.record.id in records:
                for sub in subs:
                    created += _alert(sub, candidate.record, Message(FOLLOWED_DEMAND_MATCH, title=demand.title),
                                      body=Lines(candidate.record.title, MatchReasons(candidate.explanation)))
    return created


def _alert(sub: Subscription, record, title: Text, *, body: Text | None = None,
           kind: str = "achievement") -> list[Notification]:
    """One alert for ``sub`` about ``record`` (of ``kind``) if it was published after the subscription was made and
    is not the subscriber's own organisation's; ``body``: the record's title unless given."""
    if record.published_at is None or record.published_at < sub.created_at:
        return []
    if sub.user is None or not sub.user.active or sub.user.org_id == record.org_id:
        return []
    if body is None:
        body = record.title
    notification = notify(sub.user_id, "alert", title, body=body, link=f"/{kind}s/{record.id}",
                          subject=(kind, record.id), subscription=sub, email=sub.email)
    if notification is None:
        return []
    sub.last_notified_at = utcnow()
    return [notification]


@documents_indexed.connect
def _alert_on_indexed(sender, documents=(), **extra) -> None:
    """The indexer's signal: documents were pushed and committed."""
    on_documents_indexed(documents)


@match_recommended.connect
def _notify_on_recommended(sender, demand=None, kind="", target=None, note=None, explanation=None, **extra) -> None:
    """The matcher's signal: a broker recommended ``target`` (of ``kind``) for ``demand``."""
    notify_recommendation(demand, kind, target, note, explanation or {})


@index_rebuilt.connect
def _register_again(sender, kind=None, **extra) -> None:
    """A rebuilt index starts without saved queries on some engines: register the active ones again."""
    if kind in SEARCH_KINDS:
        try:
            sync_saved_queries(kind)
            db.session.commit()
        except SearchUnavailable:
            db.session.rollback()
            log.warning("saved searches not registered again: search engine unavailable")
