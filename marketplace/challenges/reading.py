"""The challenge (揭榜挂帅榜单) list, one spec for the page (/challenges) and the API (GET /api/v1/challenges).

Filters: technical field, region (the challenge's own, else its issuer's), funding mode, execution stage,
``open_now=1`` (stage open and the application deadline not passed), reward band (榜额, the price bands of
:data:`marketplace.taxonomy.PRICE_BANDS`) and the issuer's organisation type. Sorts: newest, deadline (soonest
first), reward (highest first).
"""
from __future__ import annotations

from datetime import date

from marshmallow import fields
from sqlalchemy.orm import defer, joinedload

from ..extensions import db
from ..filters import BAND_RANGES, amount_in_band
from ..pagination import PER_PAGE, Page
from ..reading import Filter, ListSpec, ReadArgs, Sort, orgs_of_type
from ..taxonomy import ORG_TYPES, REGIONS, TECHNICAL_FIELDS
from ..validation import Choice, Int
from ..workflow.challenges import STAGE_LABELS
from .models import Challenge, ChallengeStage
from .schemas import FUNDING_MODES

MAX_ID = 2**31 - 1
#: The stages of a finished challenge (the public "past challenges" list and its results).
PAST_STAGES = (ChallengeStage.ACCEPTED, ChallengeStage.FAILED, ChallengeStage.TERMINATED, ChallengeStage.CANCELLED,
               ChallengeStage.UNSUCCESSFUL)


def page_options() -> tuple:
    """What the list loads of each row: the issuer, not the long texts."""
    return (joinedload(Challenge.organization), defer(Challenge.background),
            defer(Challenge.ip_terms), defer(Challenge.confidentiality), defer(Challenge.acceptance),
            defer(Challenge.rubric))


def _region(code: str):
    """The challenge's region, or its issuer's when it names none."""
    from ..accounts.models import Organization

    issuers = db.select(Organization.id).where(Organization.region == code).scalar_subquery()
    return db.or_(Challenge.region == code, db.and_(Challenge.region.is_(None), Challenge.org_id.in_(issuers)))


def _open_now(flag: bool):
    """Open for applications today (published is the list's scope): stage open, deadline not passed."""
    today = date.today()
    if flag:
        return db.and_(Challenge.stage == ChallengeStage.OPEN, Challenge.application_deadline >= today)
    return db.or_(Challenge.stage != ChallengeStage.OPEN, Challenge.application_deadline < today)


CHALLENGES = ListSpec(
    model=Challenge,
    filters=[
        Filter("technical_field", Choice(TECHNICAL_FIELDS, label="技术领域"),
               lambda v: Challenge.technical_field == v, "技术领域"),
        Filter("region", Choice(REGIONS, label="地区代码"), _region,
               "地区代码（GB/T 2260 省级）：榜单所在地区，未填时为发榜单位所在地区"),
        Filter("funding_mode", Choice(FUNDING_MODES, label="资助方式"), lambda v: Challenge.funding_mode == v,
               "资助方式：award 揭榜奖励 / milestone 里程碑式 / horse_race 赛马 / post_hoc 事后资助"),
        Filter("stage", Choice(STAGE_LABELS, label="榜单阶段"), lambda v: Challenge.stage == v,
               "榜单阶段：open 征集中 / reviewing 评审中 / awarded 已确定揭榜方 / in_delivery 攻关实施中 / "
               "accepted 验收通过 / failed 验收未通过 / terminated 已终止 / cancelled 已撤榜 / unsuccessful 揭榜不成"),
        Filter("open_now", fields.Bool(truthy={"1", "true", "yes"}, falsy={"0", "false", "no"}, allow_none=True,
                                       error_messages={"invalid": "应为 1 或 0"}),
               _open_now, "1 = 只看正在征集（阶段为征集中且未过揭榜截止日期）的榜单，0 = 只看其他"),
        Filter("past", fields.Bool(truthy={"1", "true", "yes"}, falsy={"0", "false", "no"}, allow_none=True,
                                   error_messages={"invalid": "应为 1 或 0"}),
               lambda flag: Challenge.stage.in_(PAST_STAGES) if flag else Challenge.stage.not_in(PAST_STAGES),
               "1 = 只看已结束的榜单（验收通过、验收未通过、已终止、已撤榜、揭榜不成）"),
        Filter("reward", Choice(list(BAND_RANGES), label="榜额区间"),
               lambda v: amount_in_band(Challenge.reward_amount, v),
               "榜额区间：lt10 / 10-50 / 50-200 / 200-1000 / gte1000（万元）", api_aliases=("reward_band",)),
        Filter("org_type", Choice(ORG_TYPES, label="机构类型"), lambda v: Challenge.org_id.in_(orgs_of_type(v)),
               "发榜单位的类型（enterprise 企业 / government 政府部门）"),
        Filter("org_id", Int(1, MAX_ID), lambda v: Challenge.org_id == v, "发榜单位"),
    ],
    sorts={
        "newest": Sort("最新发布"),
        "deadline": Sort("揭榜截止日期从近到远", (Challenge.application_deadline.asc(),)),
        "reward": Sort("榜额从高到低", (Challenge.reward_amount.desc(),)),
        "finished": Sort("最近结束的在前", (Challenge.stage_changed_at.desc(),)),
    },
    default_sort="newest",
)


def parse_page(args) -> ReadArgs:
    """A page's query string, read leniently (see :meth:`marketplace.reading.ListSpec.parse_page`)."""
    return CHALLENGES.parse_page(args)


def public_page(args: ReadArgs, page: int = 1, options=None, per_page: int = PER_PAGE) -> Page:
    """One page of the public challenge list (published challenges only), with :func:`page_options` unless
    ``options`` are given."""
    return CHALLENGES.public_page(args, page=page, per_page=per_page,
                                  options=page_options() if options is None else options)
