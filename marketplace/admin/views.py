"""/admin: the platform admins' overview, users and organisations. The services check who may; anyone else gets
their refusal (403), a visitor the sign-in page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit.models import AuditEvent
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..taxonomy import ORG_TYPES, PLATFORM_ROLES, REGIONS
from ..unit_of_work import commit
from ..web.forms import field_errors, flash_error, form_values
from ..web.messages import N_
from ..web.pagination import page_arg
from ..workflow.organizations import ORG_STATUSES, ORGANIZATION
from . import services

bp = Blueprint("admin", __name__, url_prefix="/admin")

DONE = {
    "role": N_("平台角色已更新"), "role_unchanged": N_("平台角色没有变化"), "suspend_user": N_("账户已停用，其登录和访问令牌立即失效"),
    "restore_user": N_("账户已恢复"), "verify": N_("机构已通过认证，已通知该机构"), "reject": N_("已标记为未通过认证，已通知该机构"),
    "suspend": N_("机构已暂停，已通知该机构；其已发布的记录暂不对外公开"),
    "restore": N_("机构已恢复，已通知该机构；其已发布的记录重新公开"),
    "merge": N_("已合并：重复机构的成员和记录都已转到保留的机构"),
}


@bp.before_request
@login_required
def _signed_in() -> None:
    """Administration needs a signed-in user; whether they are an admin is the services' question."""


def _history(record) -> list[AuditEvent]:
    return list(db.session.execute(db.select(AuditEvent).where(
        AuditEvent.target_type == type(record).__tablename__, AuditEvent.target_id == record.id)
        .order_by(AuditEvent.id.desc()).limit(20)).scalars())


@bp.get("")
def overview():
    return render_template("admin/overview.html", counts=services.overview(current_user))


# -- users ------------------------------------------------------------------------------------------------------------

@bp.get("/users")
def users():
    filters = {key: request.args.get(key, "") for key in ("q", "role", "status")}
    try:
        page = services.users_page(current_user, page=page_arg(), **filters)
    except ValidationFailed as error:
        return render_template("admin/users.html", page=None, filters=filters, errors=field_errors(error),
                               statuses=services.USER_STATUSES, roles=PLATFORM_ROLES), 422
    return render_template("admin/users.html", page=page, filters=filters, errors={},
                           statuses=services.USER_STATUSES, roles=PLATFORM_ROLES)


def _user_page(user_id: int, errors: dict | None = None, form: dict | None = None, status: int = 200):
    user = services.get_user(current_user, user_id)
    values = {"platform_role": user.platform_role or "", **(form or {})}
    return render_template("admin/user.html", user=user, errors=errors or {}, form=values,
                           roles=PLATFORM_ROLES, statuses=services.USER_STATUSES, history=_history(user)), status


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _user_page(user_id)


def _user_change(user_id: int, change, done: str):
    try:
        changed = change()
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _user_page(user_id, field_errors(error), form_values(request.form), 422)
    except Conflict as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("admin.user", user_id=user_id))
    flash(_(DONE[done] if changed is not False else DONE["role_unchanged"]), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int):
    return _user_change(user_id, lambda: services.change_platform_role(
        current_user, user_id, request.form.get("platform_role")), "role")


@bp.post("/users/<int:user_id>/suspend")
def suspend_user(user_id: int):
    return _user_change(user_id, lambda: services.suspend_user(
        current_user, user_id, request.form.get("reason")), "suspend_user")


@bp.post("/users/<int:user_id>/restore")
def restore_user(user_id: int):
    return _user_change(user_id, lambda: services.restore_user(current_user, user_id), "restore_user")


# -- organisations ----------------------------------------------------------------------------------------------------

@bp.get("/orgs")
def orgs():
    filters = {key: request.args.get(key, "") for key in ("q", "status")}
    try:
        page = services.organizations_page(current_user, page=page_arg(), **filters)
    except ValidationFailed as error:
        return render_template("admin/orgs.html", page=None, filters=filters, errors=field_errors(error),
                               statuses=ORG_STATUSES), 422
    return render_template("admin/orgs.html", page=page, filters=filters, errors={}, statuses=ORG_STATUSES)


def _org_page(org_id: int, errors: dict | None = None, form: dict | None = None, status: int = 200):
    org = services.get_organization(current_user, org_id)
    values = {"credit_code": org.credit_code, "org_type": org.org_type, "region": org.region, **(form or {})}
    return render_template("admin/org.html", org=org, errors=errors or {}, form=values,
                           actions=ORGANIZATION.available(current_user, org), statuses=ORG_STATUSES,
                           members=services.organization_members(current_user, org), history=_history(org),
                           org_types=ORG_TYPES, regions=REGIONS), status


@bp.get("/orgs/<int:org_id>")
def org(org_id: int):
    return _org_page(org_id)


def _org_change(org_id: int, change, done: str):
    try:
        change(services.get_organization(current_user, org_id))
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _org_page(org_id, field_errors(error), form_values(request.form), 422)
    except Conflict as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("admin.org", org_id=org_id))
    flash(_(DONE[done]), "success")
    return redirect(url_for("admin.org", org_id=org_id))


@bp.post("/orgs/<int:org_id>/verify")
def verify_org(org_id: int):
    return _org_change(org_id, lambda org: services.verify_organization(current_user, org, request.form), "verify")


@bp.post("/orgs/<int:org_id>/<any(reject, suspend, restore):action>")
def decide_org(org_id: int, action: str):
    return _org_change(org_id, lambda org: services.decide_organization(
        current_user, org, action, request.form.get("reason")), action)


@bp.post("/orgs/<int:org_id>/merge")
def merge_org(org_id: int):
    def merge(duplicate):
        kept = services.find_kept_organization(current_user, request.form.get("into"))
        services.merge_organizations(current_user, duplicate, kept)
    return _org_change(org_id, merge, "merge")
