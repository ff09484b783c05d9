"""Who hears about each step of a 揭榜挂帅 challenge: a receiver of the declared lifecycles' ``transitioned`` signal
adds in-app notifications (queued for e-mail) for the people the step concerns, in the same transaction."""
from __future__ import annotations

from ..accounts.models import Membership, User
from ..alerts.messages import N_, Message, Text
from ..alerts.services import notify
from ..extensions import db
from ..workflow import transitioned
from ..workflow.challenges import RANKED_BELOW_WINNERS

LIFECYCLES = ("challenge", "challenge_application", "challenge_agreement", "challenge_milestone")

# ``%(title)s``: the challenge's title
CLOSED_FOR_APPLICATIONS = N_("榜单「%(title)s」已截止征集，进入评审")
#: challenge transition -> what its issuer and the awarded teams hear
CHALLENGE_STEPS = {"start_delivery": N_("榜单「%(title)s」进入攻关实施阶段"),
                   "extend": N_("榜单「%(title)s」完成期限已延期"), "accept": N_("榜单「%(title)s」验收通过"),
                   "fail": N_("榜单「%(title)s」验收未通过"), "terminate": N_("榜单「%(title)s」已终止")}
NEW_APPLICATION = N_("榜单「%(title)s」收到新的揭榜申请")
#: application transition -> what the team hears
APPLICATION_OUTCOMES = {"award": N_("恭喜，您的揭榜申请成功：「%(title)s」"),
                        "not_select": N_("您的揭榜申请未入选：「%(title)s」"),
                        "close_with_challenge": N_("榜单已撤销，您的申请随之结束：「%(title)s」"),
                        "eliminate": N_("赛马阶段评估：您的团队未能进入下一阶段：「%(title)s」"),
                        "shortlist": N_("您的揭榜申请已入围：「%(title)s」")}
AGREEMENT_SIGNED = N_("榜单「%(title)s」的揭榜协议（军令状）已签订")
# ``%(seq)s``: the milestone's number
EVIDENCE_SUBMITTED = N_("「%(title)s」里程碑 %(seq)s 已提交材料，请验收")
MILESTONE_VERDICTS = {"accept_milestone": N_("「%(title)s」里程碑 %(seq)s 已通过"),
                      "return_milestone": N_("「%(title)s」里程碑 %(seq)s 被退回")}


def _members(*org_ids: int | None) -> list[int]:
    ids = [org_id for org_id in org_ids if org_id is not None]
    if not ids:
        return []
    return list(db.session.execute(db.select(User.id).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id.in_(ids), User.active.is_(True))).scalars())


def _awarded_teams(challenge) -> list[int]:
    return [a.org_id for a in challenge.applications if a.status == "awarded"]


def _tell(user_ids, title: Text, link: str, subject: tuple[str, int], body: Text | None = None) -> None:
    for user_id in dict.fromkeys(user_ids):
        notify(user_id, "challenge", title, body=body, link=link, subject=subject, email=True)


def _on_challenge(challenge, transition: str, params: dict) -> None:
    link, subject = f"/challenges/{challenge.id}", ("challenge", challenge.id)
    reason = params.get("reason")
    issuer = _members(challenge.org_id)
    # publication and rejection: marketplace.review.notifications, as for every reviewed listing
    if transition == "close_applications":
        applicants = [a.org_id for a in challenge.applications if a.status == "submitted"]
        _tell(_members(*applicants), Message(CLOSED_FOR_APPLICATIONS, title=challenge.title), link, subject)
    elif transition in CHALLENGE_STEPS:
        _tell(issuer + _members(*_awarded_teams(challenge)), Message(CHALLENGE_STEPS[transition],
                                                                     title=challenge.title), link, subject, reason)


def _on_application(application, transition: str, params: dict) -> None:
    challenge = application.challenge
    link, subject = f"/challenges/{challenge.id}", ("challenge", challenge.id)
    if transition == "submit":
        _tell(_members(challenge.org_id), Message(NEW_APPLICATION, title=challenge.title), link, subject)
        return
    if transition in APPLICATION_OUTCOMES:
        team = _members(application.org_id, *(application.consortium_org_ids or []))
        reason = params.get("reason") or application.result_reason
        _tell(team, Message(APPLICATION_OUTCOMES[transition], title=challenge.title), link, subject,
              Message(reason) if reason == RANKED_BELOW_WINNERS else reason)


def _on_agreement(agreement, transition: str, params: dict) -> None:
    application = agreement.application
    challenge = application.challenge
    _tell(_members(challenge.org_id, application.org_id), Message(AGREEMENT_SIGNED, title=challenge.title),
          f"/challenges/{challenge.id}", ("challenge", challenge.id))


def _on_milestone(milestone, transition: str, params: dict) -> None:
    application = milestone.agreement.application
    challenge = application.challenge
    link, subject = f"/challenges/{challenge.id}", ("challenge", challenge.id)
    if transition == "submit_evidence":
        _tell(_members(challenge.org_id), Message(EVIDENCE_SUBMITTED, title=challenge.title, seq=milestone.seq),
              link, subject)
    elif transition in MILESTONE_VERDICTS:
        _tell(_members(application.org_id),
              Message(MILESTONE_VERDICTS[transition], title=challenge.title, seq=milestone.seq), link, subject,
              params.get("reason"))


HANDLERS = {"challenge": _on_challenge, "challenge_application": _on_application,
            "challenge_agreement": _on_agreement, "challenge_milestone": _on_milestone}


@transitioned.connect
def _notify(sender, record=None, transition: str = "", params=None, **extra) -> None:
    handler = HANDLERS.get(sender)
    if handler is not None:
        handler(record, transition, params or {})
