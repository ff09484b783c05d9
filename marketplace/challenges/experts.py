"""评审专家库: expert profiles (职称, the organisation the expert states, technical fields, expertise, active flag).

Only a user with an active profile can be assigned as a reviewer (:func:`marketplace.challenges.reviews.
assign_reviewer`); the organisation named in the profile counts for recusal as well as the membership organisation.

Who may do what: staff (brokers and admins) create and edit anyone's profile and alone switch it on or off. A user
may fill in their own profile; it starts inactive and joins the expert list once staff activate it. When the user
changes the stated organisation of an active profile, the profile goes back to inactive until staff check it again
(the stated organisation decides recusal); other changes of their own keep it active.
"""
from __future__ import annotations

from marshmallow import fields as mfields
from marshmallow import validate
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..audit.services import record as audit
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..listing_edits import check_version
from ..permissions import can_edit_expert_profile, can_manage_experts, require
from ..taxonomy import TECHNICAL_FIELDS
from ..validation import NULL, InputSchema, OneOf, Text, invalid_choice, load_or_raise
from ..web.messages import N_
from .models import ExpertProfile

STAFF_ONLY = N_("只有平台工作人员（技术经纪人或管理员）可以管理评审专家库")
SELF_OR_STAFF = N_("只有本人或平台工作人员可以编辑评审专家资料")
ACTIVATE_STAFF_ONLY = N_("只有平台工作人员可以启用或停用评审专家")
MAX_FIELDS = 5
MAX_QUERY = 100


class ExpertInput(InputSchema):
    """A whole profile (PUT semantics: what is left out is cleared; ``active`` left out keeps its value)."""

    title = Text(max_length=50, metadata={"description": "职称，例如 研究员、教授级高工"})
    organisation = Text(max_length=200, metadata={"description": "专家自述的工作单位（参与回避判断）"})
    technical_fields = mfields.List(
        mfields.Str(validate=OneOf(list(TECHNICAL_FIELDS), label=N_("技术领域")),
                    error_messages={"invalid": "请输入文本"}),
        required=True, data_key="fields", error_messages={"required": N_("请至少选择一个技术领域"), "null": NULL,
                                                          "invalid": "应为列表"},
        validate=validate.Length(min=1, max=MAX_FIELDS, error=f"请选择 1 到 {MAX_FIELDS} 个技术领域"),
        metadata={"description": "技术领域代码（taxonomy.TECHNICAL_FIELDS）"})
    expertise = Text(max_length=2000, metadata={"description": "研究方向与专长"})
    active = mfields.Bool(allow_none=False, error_messages={"invalid": "应为 true 或 false",
                                                            "null": NULL},
                          metadata={"description": "是否在评审专家库中启用（仅平台工作人员可修改）"})


def _clean(value) -> str | None:
    value = " ".join(str(value or "").split())
    return value or None


def same_organisation(stated: str | None, name: str | None) -> bool:
    """The stated organisation names ``name`` (whitespace and letter case ignored)."""
    a, b = _clean(stated), _clean(name)
    return bool(a and b) and a.replace(" ", "").casefold() == b.replace(" ", "").casefold()


def profile_of(user) -> ExpertProfile | None:
    user_id = getattr(user, "id", None)
    if user_id is None:
        return None
    return db.session.scalars(select(ExpertProfile).where(ExpertProfile.user_id == user_id)).first()


def is_expert(user) -> bool:
    """``user`` is an active user with an active expert profile (may be assigned as a reviewer)."""
    profile = profile_of(user)
    return bool(profile is not None and profile.active and getattr(user, "active", False))


def get_profile(actor, user: User | None) -> ExpertProfile:
    """The profile for its user and staff; 404 for anyone else, and when there is none."""
    if user is None or not can_edit_expert_profile(actor, user):
        raise NotFound()
    profile = profile_of(user)
    if profile is None:
        raise NotFound(N_("该用户还没有评审专家资料"))
    return profile


def set_expert_profile(actor, user: User | None, data: dict, version: int | None = None) -> ExpertProfile:
    """Create or replace ``user``'s expert profile (staff, or the user themself; only staff (de)activate).
    ``version``: the version of the profile the client edited (409 when stale)."""
    if user is None:
        raise NotFound(N_("用户不存在"))
    require(can_edit_expert_profile(actor, user), SELF_OR_STAFF)
    profile = profile_of(user)
    if profile is not None:
        check_version(profile, version)
    values = load_or_raise(ExpertInput(), data or {})
    staff = can_manage_experts(actor)
    active = profile.active if profile is not None else False
    if "active" in values and values["active"] != active:
        require(staff, ACTIVATE_STAFF_ONLY)
        active = values["active"]
    if active and not user.active:
        raise ValidationFailed(errors={"active": [N_("该用户已停用，不能启用为评审专家")]})
    organisation = _clean(values.get("organisation"))
    if profile is not None and not staff and active and organisation != profile.organisation:
        active = False  # a new stated organisation is checked by staff before the expert reviews again
    created = profile is None
    if created:
        profile = ExpertProfile(user_id=user.id)
        db.session.add(profile)
    profile.title = _clean(values.get("title"))
    profile.organisation = organisation
    profile.fields = list(dict.fromkeys(values["technical_fields"]))
    profile.expertise = (values.get("expertise") or "").strip() or None
    profile.active = active
    db.session.flush()
    audit(actor, "expert_profile.create" if created else "expert_profile.update", profile,
          {"user_id": user.id, "active": active, "fields": profile.fields})
    return profile


def experts(field: str | None = None, q: str | None = None, *, active: bool | None = True,
            actor=None) -> list[ExpertProfile]:
    """The expert list: profiles (active ones by default; ``active=None`` for all) in technical ``field``, whose
    name, e-mail, title, stated organisation or expertise contains every word of ``q``. ``actor`` (staff) when a
    person asks."""
    if actor is not None:
        require(can_manage_experts(actor), STAFF_ONLY)
    if field and field not in TECHNICAL_FIELDS:
        raise ValidationFailed(errors={"field": [invalid_choice(N_("技术领域"), field)]})
    query = (select(ExpertProfile).join(User, User.id == ExpertProfile.user_id)
             .options(joinedload(ExpertProfile.user)).order_by(User.name, ExpertProfile.id))
    if active is not None:
        query = query.where(ExpertProfile.active.is_(active))
        if active:
            query = query.where(User.active.is_(True))
    for word in (q or "").strip()[:MAX_QUERY].split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            User.name, User.email, ExpertProfile.title, ExpertProfile.organisation, ExpertProfile.expertise))))
    profiles = list(db.session.scalars(query).unique())
    # the list is small (hundreds): the field filter is done here, the same on every database
    return [p for p in profiles if field in (p.fields or [])] if field else profiles


def reviewer_choices(challenge) -> list[tuple[ExpertProfile, bool]]:
    """Active experts for a challenge's reviewer select: those in its technical field first, then the others;
    each with whether it is in the field."""
    profiles = experts()
    in_field = [p for p in profiles if challenge.technical_field in (p.fields or [])]
    others = [p for p in profiles if challenge.technical_field not in (p.fields or [])]
    return [(p, True) for p in in_field] + [(p, False) for p in others]
