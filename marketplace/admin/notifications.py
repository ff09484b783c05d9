"""The organisation hears the platform's verdict: its members are notified (in-app, queued for e-mail) when it is
verified, not verified (with the reason), suspended (with the reason) or restored."""
from __future__ import annotations

from ..alerts.messages import N_, Message
from ..alerts.services import notify_members
from ..workflow import transitioned

MESSAGES = {
    "verify": N_("您的机构「%(name)s」已通过平台认证：机构已出现在公开名录中，提交的成果审核通过后即可发布"),
    "reject": N_("您的机构「%(name)s」未通过平台认证"),
    "suspend": N_("您的机构「%(name)s」已被平台暂停：已发布的成果、专利、需求和榜单暂不对外公开"),
    "restore": N_("您的机构「%(name)s」已恢复正常：已发布的记录重新公开"),
}


@transitioned.connect_via("organization")
def _tell_the_organization(sender, record=None, transition: str = "", params=None, **extra) -> None:
    if transition in MESSAGES:
        notify_members([record.id], Message(MESSAGES[transition], name=record.name), category="organization",
                       body=(params or {}).get("reason"), link=f"/orgs/{record.id}", subject=("organization", record.id))
