"""JSON API: the current user, personal access tokens, organisations and their members."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields
from werkzeug.routing import BuildError

from ..api_common import (PageArgs, commit, etag, expected_version, json_body, page_schema, paginate, partial_schema,
                          problems, read_endpoint, require_user, write_endpoint, write_limit)
from ..errors import NotFound, PermissionDenied
from ..permissions import can_see_organization, require_organization_admin
from ..extensions import db, limiter
from ..taxonomy import MEMBER_ROLES, ORG_TYPES, REGIONS
from ..validation import Choice, InputSchema, Text, UtcDateTime, load_or_raise
from ..web.messages import N_
from . import services
from .auth import uses_bearer_token
from .models import Organization
from .reading import PUBLIC
from .schemas import OrganizationInput

blp = Blueprint("api_accounts", __name__, description="账户：当前用户、访问令牌、机构与成员")


# -- schemas --------------------------------------------------------------------------------------------------------

class OrganizationOut(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str()
    org_type = fields.Str(metadata={"enum": list(ORG_TYPES)})
    region = fields.Str(metadata={"description": "GB/T 2260 地区代码"})
    description = fields.Str(allow_none=True)
    website = fields.Str(allow_none=True)
    credit_code = fields.Str(allow_none=True, metadata={"description": "统一社会信用代码（GB 32100）"})
    status = fields.Str(dump_only=True, metadata={
        "enum": ["pending", "verified", "rejected", "suspended", "merged"],
        "description": "平台认证状态：只有 verified（已认证）的机构出现在公开名录中、其成果可以发布"})
    created_at = UtcDateTime(dump_only=True)
    version = fields.Int(dump_only=True, metadata={"description": "修改时用作 If-Match"})


class MeOut(Schema):
    id = fields.Int(dump_only=True)
    email = fields.Str(dump_only=True)
    name = fields.Str(dump_only=True)
    locale = fields.Str(allow_none=True, dump_only=True)
    platform_role = fields.Str(allow_none=True, dump_only=True, metadata={"enum": ["broker", "admin", None]})
    org_role = fields.Function(lambda u: u.membership.role if u.membership else None, dump_only=True,
                               allow_none=True, metadata={"type": "string", "enum": list(MEMBER_ROLES) + [None]})
    organization = fields.Nested(OrganizationOut, allow_none=True, dump_only=True)
    is_broker = fields.Bool(dump_only=True)
    is_admin = fields.Bool(dump_only=True)
    is_org_admin = fields.Bool(dump_only=True)


class TokenInput(InputSchema):
    name = Text(required=True, max_length=100, metadata={"example": "数据同步脚本"})
    scope = Choice(["read", "write"], label="权限范围", load_default="read")


class TokenOut(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str(dump_only=True)
    prefix = fields.Str(dump_only=True, metadata={"description": "令牌开头几位，便于辨认"})
    scope = fields.Str(dump_only=True, metadata={"enum": ["read", "write"]})
    created_at = UtcDateTime(dump_only=True)
    last_used_at = UtcDateTime(allow_none=True, dump_only=True)
    revoked_at = UtcDateTime(allow_none=True, dump_only=True)


class TokenCreatedOut(TokenOut):
    token = fields.Str(dump_only=True, metadata={"description": "令牌全文，只在创建时返回一次，请妥善保存"})


class MemberOut(Schema):
    user_id = fields.Int(dump_only=True)
    name = fields.Function(lambda m: m.user.name, dump_only=True, metadata={"type": "string"})
    email = fields.Function(lambda m: m.user.email, dump_only=True, metadata={"type": "string"})
    role = fields.Str(dump_only=True, metadata={"enum": list(MEMBER_ROLES)})
    joined_at = UtcDateTime(attribute="created_at", dump_only=True)


class InvitationInput(InputSchema):
    email = Text(required=True, max_length=254, metadata={"example": "new.member@example.cn"})
    role = Choice(MEMBER_ROLES, label="机构角色", load_default="member")


class InvitationOut(Schema):
    id = fields.Int(dump_only=True)
    email = fields.Str(dump_only=True)
    role = fields.Str(dump_only=True)
    expires_at = UtcDateTime(dump_only=True)
    secret = fields.Str(dump_only=True, metadata={"description": "邀请密钥，只返回一次"})
    link = fields.Str(dump_only=True, allow_none=True, metadata={"description": "发给受邀人的注册链接"})


class OrganizationArgs(PageArgs):
    org_type = Choice(ORG_TYPES, label="机构类型")
    region = Choice(REGIONS, label="地区代码")


OrganizationPage = page_schema(OrganizationOut, "OrganizationPage")
ORGANIZATION_PATCH = partial_schema(blp, OrganizationInput, "OrganizationPatch")


# -- the current user ---------------------------------------------------------------------------------------------

@blp.route("/me")
class Me(MethodView):
    @require_user
    @blp.response(200, MeOut, headers={"X-CSRFToken": {
        "description": "仅浏览器会话：修改类请求需要的 CSRF 令牌", "schema": {"type": "string"}}})
    def get(self):
        """当前用户及其机构"""
        headers = {} if uses_bearer_token() else {"X-CSRFToken": generate_csrf()}
        return current_user, headers


# -- personal access tokens -------------------------------------------------------------------------------------------

def _token_limit() -> str:
    from flask import current_app

    return current_app.config.get("API_TOKEN_RATE_LIMIT", "20 per hour")


@blp.route("/tokens")
class Tokens(MethodView):
    @require_user
    @blp.response(200, TokenOut(many=True))
    def get(self):
        """我的访问令牌（含已撤销的）"""
        return services.user_tokens(current_user)

    @require_user
    @write_limit
    @limiter.limit(_token_limit)
    @json_body(TokenInput)
    @problems(403)
    @blp.response(201, TokenCreatedOut)
    def post(self, payload):
        """创建访问令牌（只能在浏览器登录会话中创建；令牌全文只返回这一次）"""
        if uses_bearer_token():
            raise PermissionDenied(N_("访问令牌只能在登录会话中创建，不能用访问令牌创建新令牌"))
        values = load_or_raise(TokenInput(), payload)
        token, secret = services.create_token(current_user, values["name"], values["scope"])
        commit()
        return {**{name: getattr(token, name) for name in TokenOut._declared_fields}, "token": secret}


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @write_endpoint(blp, errors=(404,))
    def delete(self, token_id):
        """撤销访问令牌（会话或 write 令牌均可）"""
        services.revoke_token(current_user, token_id)
        commit()


# -- organisations and members ----------------------------------------------------------------------------------------

def _organization(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None or not can_see_organization(current_user, org):
        raise NotFound("机构不存在")
    return org


@blp.route("/organizations")
class Organizations(MethodView):
    @read_endpoint(blp, OrganizationPage, query=OrganizationArgs)
    def get(self, args):
        """机构名录（分页；仅已通过平台认证的机构）"""
        query = db.select(Organization).where(*PUBLIC).order_by(Organization.name, Organization.id)
        if args.get("org_type"):
            query = query.where(Organization.org_type == args["org_type"])
        if args.get("region"):
            query = query.where(Organization.region == args["region"])
        return paginate(query, args)


@blp.route("/organizations/<int:org_id>")
class OrganizationItem(MethodView):
    @read_endpoint(blp, OrganizationOut, errors=(404,))
    def get(self, org_id):
        """机构详情"""
        org = _organization(org_id)
        return org, etag(org)

    @write_endpoint(blp, OrganizationOut, body=ORGANIZATION_PATCH, body_description="只需提交要修改的字段",
                    if_match=True)
    def patch(self, org_id, payload):
        """修改机构资料（机构管理员或平台管理员）

        名称、类型和所在省份的修改随后会更新到该机构已发布的成果、专利和需求的检索结果中。"""
        org = _organization(org_id)
        services.update_organization(current_user, org, payload, expected_version(payload), partial=True)
        commit()
        return org, etag(org)


def _require_org_admin(org: Organization) -> None:
    require_organization_admin(current_user, org)


@blp.route("/organizations/<int:org_id>/members")
class Members(MethodView):
    @require_user
    @problems(403, 404)
    @blp.response(200, MemberOut(many=True))
    def get(self, org_id):
        """机构成员（机构管理员或平台管理员）"""
        org = _organization(org_id)
        _require_org_admin(org)
        return services.members(org)


@blp.route("/organizations/<int:org_id>/members/<int:user_id>")
class MemberItem(MethodView):
    @write_endpoint(blp, errors=(403, 404, 422))
    def delete(self, org_id, user_id):
        """移出成员（机构至少保留一名管理员）"""
        services.remove_member(current_user, _organization(org_id), user_id)
        commit()


@blp.route("/organizations/<int:org_id>/invitations")
class Invitations(MethodView):
    @write_endpoint(blp, InvitationOut, status=201, body=InvitationInput)
    def post(self, org_id, payload):
        """邀请成员：返回一次性的邀请密钥和链接"""
        org = _organization(org_id)
        _require_org_admin(org)
        values = load_or_raise(InvitationInput(), payload)
        invitation, secret = services.invite_member(current_user, org, values["email"], values["role"])
        commit()
        try:
            link = url_for("accounts.invite", token=secret, _external=True)
        except BuildError:  # the web pages are not part of this app (e.g. an API-only deployment)
            link = None
        return {"id": invitation.id, "email": invitation.email, "role": invitation.role,
                "expires_at": invitation.expires_at, "secret": secret, "link": link}
