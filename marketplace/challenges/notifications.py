"""Who hears about each step of a 揭榜挂帅 challenge: a receiver of the declared lifecycles' ``transitioned`` signal
adds in-app notifications (queued for e-mail) for the people the step concerns, in the same transaction."""
from __future__ import annotations

from ..accounts.models import Membership, User
from ..alerts.services import notify
from ..extensions import db
from ..workflow import transitioned

LIFECYCLES = ("challenge", "challenge_application", "challenge_agreement", "challenge_milestone")


def _members(*org_ids: int | None) -> list[int]:
    ids = [org_id for org_id in org_ids if org_id is not None]
    if not ids:
        return []
    return list(db.session.execute(db.select(User.id).join(Membership, Membership.user_id == User.id).where(
        Membership.org_id.in_(ids), User.active.is_(True))).scalars())


def _awarded_teams(challenge) -> list[int]:
    return [a.org_id for a in challenge.applications if a.status == "awarded"]


def _tell(user_ids, title: str, link: str, subject: tuple[str, int], body: str | None = None) -> None:
    for user_id in dict.fromkeys(user_ids):
        notify(user_id, "challenge", title, body=body, link=link, subject=subject, email=True)


def _on_challenge(challenge, transition: str, params: dict) -> None:
    link, subject = f"/challenges/{challenge.id}", ("challenge", challenge.id)
    reason = params.get("reason")
    issuer = _members(challenge.org_id)
    # publication and rejection: marketplace.review.notifications, as for every reviewed listing
    if transition == "close_applications":
        applicants = [a.org_id for a in challenge.applications if a.status == "submitted"]
        _tell(_members(*applicants), f"榜单「{challenge.title}」已截止征集，进入评审", link, subject)
    elif transition in ("start_delivery", "extend", "accept", "fail", "terminate"):
        titles = {"start_delivery": "进入攻关实施阶段", "extend": "完成期限已延期", "accept": "验收通过",
                  "fail": "验收未通过", "terminate": "已终止"}
        _tell(issuer + _members(*_awarded_teams(challenge)), f"榜单「{challenge.title}」{titles[transition]}", link,
              subject, reason)


def _on_application(application, transition: str, params: dict) -> None:
    challenge = application.challenge
    link, subject = f"/challenges/{challenge.id}", ("challenge", challenge.id)
    if transition == "submit":
        _tell(_members(challenge.org_id), f"榜单「{challenge.title}」收到新的揭榜申请", link, subject)
        return
    outcomes = {"award": "恭喜，您的揭榜申请成功", "not_select": "您的揭榜申请未入选", "close_with_challenge": "榜单已撤销，您的申请随之结束",
                "eliminate": "赛马阶段评估：您的团队未能进入下一阶段", "shortlist": "您的揭榜申请已入围"}
    if transition in outcomes:
        team = _members(application.org_id, *(application.consortium_org_ids or []))
        _tell(team, f"{outcomes[transition]}：「{challenge.title}」", link, subject,
              params.get("reason") or application.result_reason)


def _on_agreement(agreement, transition: str, params: dict) -> None:
    application = agreement.application
    challenge = application.challenge
    _tell(_members(challenge.org_id, application.org_id), f"榜单「{challenge.title}」的揭榜协议（军令状）已签订",
          f"/challenges/{challenge.id}", ("challenge", challenge.id))


def _on_milestone(milestone, transition: str, params: dict) -> None:
    application = milestone.agreement.application
    challenge = application.challenge
    link, subject = f"/challenges/{challenge.id}", ("challenge", challenge.id)
    if transition == "submit_evidence":
        _tell(_members(challenge.org_id), f"「{challenge.title}」里程碑 {milestone.seq} 已提交材料，请验收", link, subject)
    elif transition in ("accept_milestone", "return_milestone"):
        verdict = "已通过" if transition == "accept_milestone" else "被退回"
        _tell(_members(application.org_id), f"「{challenge.title}」里程碑 {milestone.seq} {verdict}", link, subject,
              params.get("reason"))


HANDLERS = {"challenge": _on_challenge, "challenge_application": _on_application,
            "challenge_agreement": _on_agreement, "challenge_milestone": _on_milestone}


@transitioned.connect
def _notify(sender, record=None, transition: str = "", params=None, **extra) -> None:
    handler = HANDLERS.get(sender)
    if handler is not None:
        handler(record, transition, params or {})
