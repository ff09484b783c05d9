"""Demo inquiries (意向/洽谈) in every state — waiting (a few overdue and flagged to the broker), in discussion,
declined with each kind of reason, closed (some because a contract was signed) — about published achievements,
patents, demands and challenges, between demo organisations, with the responsible broker in each thread.

Each is sent, answered, declined and closed through :mod:`marketplace.inquiries.services` by members of the two
organisations (and the broker), so the lifecycle checks, audits and notifies as on the pages; then its dates are
moved into the last months (the services only act *now*)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from ..achievements.models import Achievement
from ..challenges.models import Challenge
from ..demands.models import Demand
from ..extensions import db
from ..inquiries import services as inquiries
from ..inquiries.models import Inquiry
from ..listings import PUBLISHED
from ..patents.models import Patent
from ..workflow import SYSTEM
from ..workflow.deals import INQUIRY
from . import content_deals as C

#: (final state, how many): the plan of the demo's inquiries
STATES = [("open", 6), ("overdue", 4), ("answered", 20), ("declined", 14), ("closed", 12), ("deal", 8)]
#: subject kind → weight
KINDS = {"achievement": 40, "patent": 25, "demand": 25, "challenge": 10}
SUPPLY_ASKERS = ("enterprise", "investor")
RESEARCH = ("university", "institute")


@dataclass
class Thread:
    """An inquiry the demo made, with what the deals step needs: its outcome and the moments of its messages."""

    inquiry: Inquiry
    outcome: str
    subject: object
    times: list[datetime] = field(default_factory=list)


class InquiryDemo:
    def __init__(self, loader, rng: random.Random):
        self.loader, self.rng, self.now = loader, rng, loader.now
        self.members: dict[int, list] = {}
        for user in sorted(loader.users.values(), key=lambda u: u.id):
            if user.org_id is not None:
                self.members.setdefault(user.org_id, []).append(user)
        for users in self.members.values():
            users.sort(key=lambda u: (u.membership.role != "org_admin", u.id))
        self.orgs = {org.id: org for org in loader.orgs.values()}
        self.subjects = {kind: self._published(model) for kind, model in
                         (("achievement", Achievement), ("patent", Patent), ("demand", Demand),
                          ("challenge", Challenge))}
        self.asked: set[tuple] = set()

    def _published(self, model) -> list:
        query = db.select(model).where(model.status == PUBLISHED).order_by(model.id)
        if model is Challenge:  # asked about while applications are open
            query = query.where(Challenge.stage == "open")
        return [row for row in db.session.execute(query).scalars() if row.org_id in self.orgs]

    def member(self, org_id: int, admin: bool = False):
        users = self.members[org_id]
        return users[0] if admin or len(users) == 1 else self.rng.choice(users)

    # -- choosing who asks about what -------------------------------------------------------------------------------
    def _pick(self, kind: str):
        askers = RESEARCH if kind in ("demand", "challenge") else SUPPLY_ASKERS
        candidates = [o for o in self.orgs.values() if o.org_type in askers and o.id in self.members]
        for _ in range(50):
            subject = self.rng.choice(self.subjects[kind])
            if kind == "patent" and subject.legal_status != "granted":
                continue
            asker = self.rng.choice(candidates)
            if asker.org_type == "investor" and kind != "achievement":
                continue
            key = (asker.id, kind, subject.id)
            if asker.id != subject.org_id and key not in self.asked:
                self.asked.add(key)
                return subject, asker
        raise RuntimeError(f"no demo subject left to ask about ({kind})")

    def _mode(self, kind: str, subject, asker) -> str:
        if asker.org_type == "investor":
            return "equity"
        if kind == "achievement" and subject.transfer_modes:
            return self.rng.choice(subject.transfer_modes)
        if kind == "patent":
            return self.rng.choice(("licence", "licence", "assignment"))
        return "joint_development" if kind == "challenge" or self.rng.random() < 0.7 else "service"

    def _message(self, kind: str, subject, asker, mode: str, budget) -> str:
        templates = {"demand": C.ASK_DEMAND, "challenge": C.ASK_CHALLENGE}.get(kind, C.ASK_SUPPLY)
        words = f"，预算约 {budget} 万元" if budget else ""
        return self.rng.choice(templates).format(asker=asker.name, title=subject.title, mode=C.MODE_WORDS[mode],
                                                 budget=words)

    # -- one thread -------------------------------------------------------------------------------------------------
    def thread(self, outcome: str, kind: str, reason: str | None = None) -> Thread:
        subject, asker_org = self._pick(kind)
        mode = self._mode(kind, subject, asker_org)
        budget = Decimal(self.rng.choice((20, 30, 50, 80, 100, 150, 300))) if self.rng.random() < 0.6 else None
        asker = self.member(asker_org.id)
        inquiry = inquiries.send_inquiry(asker, {
            "subject_kind": kind, "subject_id": subject.id, "cooperation_mode": mode,
            "message": self._message(kind, subject, asker_org, mode, budget),
            "budget": str(budget) if budget is not None else None})
        holder = self.member(subject.org_id, admin=True)
        messages = 1
        broker = inquiry.broker
        if outcome in ("answered", "closed", "deal") or (outcome == "declined" and self.rng.random() < 0.25):
            inquiries.post_message(holder, inquiry, self.rng.choice(C.REPLIES).format(mode=C.MODE_WORDS[mode]))
            messages += 1
            if self.rng.random() < 0.6:
                inquiries.post_message(asker, inquiry, self.rng.choice(C.FOLLOW_UPS))
                messages += 1
            if broker is not None and self.rng.random() < 0.35:
                inquiries.post_message(broker, inquiry, self.rng.choice(C.BROKER_NOTES).format(broker=broker.name))
                messages += 1
        if outcome == "declined":
            note = C.DECLINE_NOTES[reason] if reason == "other" or self.rng.random() < 0.6 else None
            inquiries.decline_inquiry(holder, inquiry, reason, note)
        elif outcome in ("closed", "deal"):
            inquiries.post_message(asker, inquiry, C.CLOSING[outcome == "deal"])
            messages += 1
            inquiries.close_inquiry(asker, inquiry)
        return Thread(inquiry, outcome, subject, self._age(inquiry, outcome, messages))

    def _age(self, inquiry: Inquiry, outcome: str, messages: int) -> list[datetime]:
        """Move the thread into the past: sent 1–180 days ago, each later message some hours or days after."""
        if outcome == "open":
            start = self.now - timedelta(hours=self.rng.randint(2, 90))
        elif outcome == "overdue":
            start = self.now - timedelta(days=self.rng.randint(8, 40), hours=self.rng.randint(0, 12))
        else:
            start = self.now - timedelta(days=self.rng.randint(12, 180), hours=self.rng.randint(0, 12))
        times = [start]
        for _ in range(messages - 1):
            step = timedelta(hours=self.rng.randint(3, 96))
            times.append(min(times[-1] + step, self.now - timedelta(minutes=5)))
        inquiry.created_at = start
        for message, moment in zip(inquiry.messages, times):
            message.created_at = moment
        inquiry.last_message_at = times[-1]
        if inquiry.answered_at is not None:
            inquiry.answered_at = times[1]
        if inquiry.declined_at is not None:
            inquiry.declined_at = min(times[-1] + timedelta(hours=self.rng.randint(4, 72)), self.now)
        if inquiry.closed_at is not None:
            inquiry.closed_at = times[-1]
        if outcome == "overdue":
            INQUIRY.apply(SYSTEM, inquiry, "flag_overdue", days=(self.now - start).days)
            inquiry.overdue_flagged_at = start + timedelta(days=5, hours=1)
        return times

    def run(self) -> list[Thread]:
        reasons = list(C.DECLINE_NOTES)
        kinds = list(KINDS)
        threads = []
        for outcome, count in STATES:
            for index in range(count):
                # every kind in every state first, then by weight
                kind = kinds[index] if index < len(kinds) else self.rng.choices(kinds, list(KINDS.values()))[0]
                if not self.subjects[kind]:
                    kind = "achievement"
                reason = reasons[index % len(reasons)] if outcome == "declined" else None
                threads.append(self.thread(outcome, kind, reason))
        db.session.flush()
        return threads
