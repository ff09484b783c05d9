"""Who may do what, as predicates named for the domain. Services check them (through the declared lifecycles or
directly); pages and the API only ask.

Published records are public. Anything else is visible only to the owning organisation and to reviewers (brokers
and admins); to everyone else it does not exist — the same 404 as a missing id.
"""
from __future__ import annotations

from .errors import PermissionDenied
from .web.messages import N_


def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_system(user, record=None) -> bool:
    """The platform itself (imports, CLI jobs): see :data:`marketplace.workflow.SYSTEM`."""
    return bool(getattr(user, "is_system", False))


def has_verified_email(user, record=None) -> bool:
    """``user`` proved their e-mail address (the sign-up link or an invitation; older accounts count as verified).
    Until then they may sign in and browse, but not submit listings for review nor send inquiries."""
    return is_system(user) or (is_signed_in(user) and getattr(user, "email_verified_at", None) is not None)


def is_member_of(user, org_id: int | None) -> bool:
    """``user`` belongs to organisation ``org_id``."""
    return is_signed_in(user) and org_id is not None and getattr(user, "org_id", None) == org_id


def owns(user, record) -> bool:
    """``user`` is a member of the organisation the record belongs to."""
    return is_system(user) or is_member_of(user, getattr(record, "org_id", None))


def can_review(user, record=None) -> bool:
    """Brokers (技术经纪人) and platform admins review listings before publication."""
    return is_signed_in(user) and bool(getattr(user, "is_broker", False))


def is_platform_admin(user, record=None) -> bool:
    return is_signed_in(user) and bool(getattr(user, "is_admin", False))


def can_see_statistics(user, record=None) -> bool:
    """The statistics dashboard, its exports and its API: brokers and platform admins (government staff)."""
    return can_review(user)


def can_see_institution_statistics(user, org_id: int | None) -> bool:
    """An institution's own statistics (its page, its annual-report workbook, the API): its members, and staff."""
    return can_see_statistics(user) or is_member_of(user, org_id)


def can_manage_quality_list(user, record=None) -> bool:
    """Platform admins (government staff) keep the yearly high-quality list (年度优质成果)."""
    return is_platform_admin(user)


def can_archive(user, record) -> bool:
    """The owning organisation, or a platform admin taking a listing down."""
    return owns(user, record) or is_platform_admin(user)


def can_manage_organization(user, org) -> bool:
    """An organisation's own admins (机构管理员) and platform admins edit its profile and members."""
    return is_platform_admin(user) or (is_member_of(user, org.id) and bool(getattr(user, "is_org_admin", False)))


def can_see_organization(user, org) -> bool:
    """Verified organisations are public; one that is pending, rejected, suspended or merged only for its members
    and platform admins (404 for everyone else)."""
    return org.is_verified or is_member_of(user, org.id) or is_platform_admin(user)


def can_view_matches(user, listing) -> bool:
    """Matches of a listing are for its own organisation and for brokers."""
    return owns(user, listing) or can_review(user)


def can_curate_matches(user, record=None) -> bool:
    """Brokers pin, dismiss and recommend matches."""
    return can_review(user)


def can_administer_search(user, record=None) -> bool:
    return is_platform_admin(user)


def can_see_listing(user, record) -> bool:
    """Published listings are public, unless their organisation is suspended; the rest only for the owner
    organisation and reviewers."""
    return record.is_public or owns(user, record) or can_review(user)


def can_create_listing(user) -> bool:
    return is_system(user) or (is_signed_in(user) and getattr(user, "org_id", None) is not None)


# -- 揭榜挂帅 (challenges) ------------------------------------------------------------------------------------------

def can_see_challenge(user, challenge) -> bool:
    """A 榜单 is a listing: public once published."""
    return can_see_listing(user, challenge)


def can_run_challenge(user, challenge) -> bool:
    """The issuer (发榜单位) and platform staff run a challenge: close, review, award, sign, accept."""
    return owns(user, challenge) or can_review(user)


def is_applicant(user, application) -> bool:
    """A member of the application's lead organisation (揭榜牵头单位)."""
    return owns(user, application)


def is_consortium_member(user, application) -> bool:
    org_id = getattr(user, "org_id", None)
    return is_signed_in(user) and org_id is not None and org_id in (application.consortium_org_ids or [])


def is_assigned_reviewer(user, review) -> bool:
    return is_system(user) or (is_signed_in(user) and review.reviewer_id == getattr(user, "id", None))


def reviews_application(user, application) -> bool:
    """``user`` is an assigned (not recused) reviewer of the application."""
    user_id = getattr(user, "id", None)
    return is_signed_in(user) and any(review.reviewer_id == user_id and review.status != "recused"
                                      for review in application.reviews)


def can_see_application(user, application) -> bool:
    """Private: the applicant, its consortium, the issuer, its assigned reviewers and staff; 404 for anyone else."""
    return (can_review(user) or is_applicant(user, application) or is_consortium_member(user, application)
            or owns(user, application.challenge) or reviews_application(user, application))


def is_delivery_team(user, milestone) -> bool:
    application = milestone.agreement.application
    return is_applicant(user, application) or is_consortium_member(user, application)


def can_see_milestone(user, milestone) -> bool:
    return can_see_application(user, milestone.agreement.application)


def can_edit_expert_profile(user, expert) -> bool:
    """评审专家库: staff keep any expert's profile; a user may fill in (not activate) their own."""
    return can_review(user) or (is_signed_in(user) and getattr(user, "id", None) == getattr(expert, "id", None))


def can_manage_experts(user, record=None) -> bool:
    """Staff search the expert list and activate or deactivate profiles."""
    return can_review(user)


# -- inquiries, deals, the pipeline and licences --------------------------------------------------------------------

def is_inquiry_asker(user, inquiry) -> bool:
    return is_system(user) or is_member_of(user, inquiry.asker_org_id)


def is_inquiry_holder(user, inquiry) -> bool:
    """A member of the organisation that holds the listing asked about."""
    return is_system(user) or is_member_of(user, inquiry.holder_org_id)


def is_inquiry_broker(user, inquiry) -> bool:
    """The broker responsible for the inquiry (assigned when it was sent)."""
    return is_signed_in(user) and inquiry.broker_id is not None and getattr(user, "id", None) == inquiry.broker_id


def in_inquiry_thread(user, inquiry) -> bool:
    """The thread is private to the two organisations and the responsible broker: 404 for everyone else."""
    return is_inquiry_asker(user, inquiry) or is_inquiry_holder(user, inquiry) or is_inquiry_broker(user, inquiry)


def answers_inquiry(user, inquiry) -> bool:
    """The holder answers (or its broker on its behalf)."""
    return is_inquiry_holder(user, inquiry) or is_inquiry_broker(user, inquiry)


def can_send_inquiry(user) -> bool:
    """Any signed-in member of an organisation may ask about a listing."""
    return is_signed_in(user) and getattr(user, "org_id", None) is not None


def is_deal_party(user, deal) -> bool:
    org_id = getattr(user, "org_id", None)
    return is_signed_in(user) and org_id is not None and org_id in deal.party_org_ids


def is_deal_seller(user, deal) -> bool:
    seller = deal.seller
    return is_system(user) or (seller is not None and is_member_of(user, seller.org_id))


def can_see_deal(user, deal) -> bool:
    """A contract is seen by both parties, and by platform staff (brokers and admins); 404 for anyone else."""
    return is_system(user) or can_review(user) or is_deal_party(user, deal)


def can_record_deals(user, deal=None) -> bool:
    """Brokers (技术经纪人) and admins record and edit contracts and their registration."""
    return is_system(user) or can_review(user)


def can_record_payments(user, deal) -> bool:
    """Staff, and the seller (who receives the money)."""
    return can_record_deals(user) or is_deal_seller(user, deal)


def can_see_opportunity(user, opportunity=None) -> bool:
    """The pipeline is internal to platform staff: every broker sees the board (their own first), admins too."""
    return is_system(user) or can_review(user)


def works_opportunity(user, opportunity) -> bool:
    """The broker it is attributed to moves it (an unattributed lead: any broker, who takes it); admins always."""
    if is_system(user) or is_platform_admin(user):
        return True
    return can_review(user) and opportunity.broker_id in (None, getattr(user, "id", None))


def can_see_licence(user, licence) -> bool:
    """A licence is seen by the licensee, the patentee and staff."""
    return (is_system(user) or can_review(user) or is_member_of(user, licence.licensee_org_id)
            or is_member_of(user, licence.patent.org_id))


def can_end_licence(user, licence) -> bool:
    return is_system(user) or can_review(user) or is_member_of(user, licence.patent.org_id)


# -- refusals, raised by services -------------------------------------------------------------------------------------

def require(allowed: bool, message: str) -> None:
    """Raise :class:`PermissionDenied` with ``message`` unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


EMAIL_NOT_VERIFIED = N_("请先验证您的电子邮箱：点击注册邮件中的验证链接（或在工作台重新发送验证邮件），验证后即可提交审核和发起洽谈")


def require_verified_email(user) -> None:
    require(has_verified_email(user), EMAIL_NOT_VERIFIED)


def require_reviewer(user) -> None:
    require(can_review(user), "只有技术经纪人或平台管理员可以审核")


def require_statistics_viewer(user) -> None:
    require(can_see_statistics(user), "只有技术经纪人或平台管理员可以查看统计分析")


def require_quality_manager(user) -> None:
    require(can_manage_quality_list(user), "只有平台管理员可以评定年度优质成果")


def require_platform_admin(user) -> None:
    """The administration pages (/admin: users, organisations) and their services."""
    require(is_platform_admin(user), "只有平台管理员可以执行此操作")


def require_organization_admin(user, org) -> None:
    require(can_manage_organization(user, org), "只有机构管理员可以管理成员")
