"""Organisation pages: the public directory and profile, profile editing and member management for
organisation admins (platform admins may edit any profile)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import defer, joinedload

from ..achievements.models import Achievement
from ..demands.models import Demand
from ..errors import Conflict, ValidationFailed
from ..permissions import can_manage_organization, can_see_organization
from ..unit_of_work import commit
from ..extensions import db
from ..listings import PUBLISHED
from ..workflow.organizations import ORG_STATUSES
from ..web.forms import field_errors, flash_error, form_to_data, form_values, version_arg
from ..web.pagination import page_arg, paginate_ids
from ..patents.models import Patent
from . import services
from .models import Organization
from .reading import ORGANIZATIONS, organizations_page
from .schemas import OrganizationInput

bp = Blueprint("orgs", __name__)


@bp.get("/orgs")
def index():
    """The directory of organisations, filterable by type and region."""
    args = ORGANIZATIONS.parse_page(request.args)
    return render_template("orgs/index.html", page=organizations_page(args, page=page_arg()),
                           filters=args.query_string(ORGANIZATIONS))


@bp.get("/orgs/<int:org_id>")
def show(org_id: int):
    """A verified organisation's profile (any other only for its members and admins) with its published
    achievements (paged), patents and demands."""
    org = db.session.get(Organization, org_id)
    if org is not None and org.merged_into_id is not None:
        return redirect(url_for("orgs.show", org_id=org.merged_into_id), 301)  # a merged duplicate's old address
    if org is None or not can_see_organization(current_user, org):
        abort(404)
    mine = [Achievement.org_id == org.id, Achievement.status == PUBLISHED]
    achievements = paginate_ids(Achievement, mine, [Achievement.published_at.desc(), Achievement.id.desc()],
                                options=[joinedload(Achievement.organization), defer(Achievement.description)])
    patents = list(db.session.execute(db.select(Patent).where(
        Patent.org_id == org.id, Patent.status == PUBLISHED).order_by(Patent.published_at.desc()).limit(20)).scalars())
    demands = list(db.session.execute(db.select(Demand).where(
        Demand.org_id == org.id, Demand.status == PUBLISHED).order_by(Demand.published_at.desc()).limit(20)).scalars())
    return render_template("orgs/show.html", org=org, achievements=achievements, patents=patents, demands=demands,
                           editable=can_manage_organization(current_user, org), org_statuses=ORG_STATUSES)


PROFILE_FIELDS = tuple(OrganizationInput._declared_fields)


def _profile_page(org: Organization, form: dict, errors: dict | None = None, status: int = 200,
                  conflict: Conflict | None = None):
    return render_template("orgs/edit.html", org=org, form=form, errors=errors or {}, conflict=conflict), status


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    """Edit an organisation's profile (its admins, platform admins; 404 for anyone else). The hidden version
    field turns a concurrent edit into a 409 instead of a lost update."""
    org = db.session.get(Organization, org_id)
    if org is None or not can_manage_organization(current_user, org):
        abort(404)
    if request.method == "GET":
        return _profile_page(org, {**{name: getattr(org, name) for name in PROFILE_FIELDS}, "version": org.version})
    data = form_to_data(request.form, OrganizationInput(), PROFILE_FIELDS)
    try:
        services.update_organization(current_user, org, data, version_arg(request.form))
        commit()  # a save by someone else between the check and the commit is a Conflict too
    except Conflict as error:
        db.session.rollback()
        return _profile_page(org, form_values(request.form), {}, 409, conflict=error)
    except ValidationFailed as error:
        db.session.rollback()
        return _profile_page(org, form_values(request.form), field_errors(error), 422)
    flash(_("机构资料已保存"), "success")
    return redirect(url_for("orgs.show", org_id=org.id))


def _managed_org() -> Organization:
    """The signed-in organisation admin's organisation (404 for anyone else: nothing to manage)."""
    if not current_user.is_org_admin or current_user.organization is None:
        abort(404)
    return current_user.organization


def _members_page(org: Organization, status: int = 200, **context):
    context.setdefault("errors", {})
    context.setdefault("invite_link", None)
    context.setdefault("form", {"role": "member"})
    return render_template("orgs/members.html", org=org, members=services.members(org), **context), status


@bp.get("/org/members")
@login_required
def members():
    """Members of the admin's organisation, with the invitation form."""
    return _members_page(_managed_org())


@bp.post("/org/members/invite")
@login_required
def invite():
    """Invite someone by e-mail; the link is shown here because e-mail may not be configured."""
    org = _managed_org()
    try:
        invitation, secret = services.invite_member(current_user, org, request.form.get("email", ""),
                                                    request.form.get("role", "member"))
    except ValidationFailed as error:
        return _members_page(org, 422, errors=field_errors(error), form=request.form.to_dict())
    db.session.commit()
    link = url_for("accounts.invite", token=secret, _external=True)
    return _members_page(org, invite_link=link, invitation=invitation)


@bp.post("/org/members/<int:user_id>/remove")
@login_required
def remove(user_id: int):
    """Remove a member; their open sessions end."""
    org = _managed_org()
    try:
        services.remove_member(current_user, org, user_id)
    except ValidationFailed as error:
        flash_error(error)
        return redirect(url_for("orgs.members"))
    db.session.commit()
    flash(_("成员已移除"), "success")
    return redirect(url_for("orgs.members"))
