"""JSON API of alerts (/api/v1): the caller's notifications and subscriptions (saved searches, followed demands)."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..api_common import PageArgs, commit, json_body, page_schema, paginate, problems, require_user, write_limit
from ..demands.models import Demand
from ..errors import NotFound
from ..extensions import db
from ..validation import InputSchema, Text, UtcDateTime, load_or_raise
from . import services
from .models import DEMAND, Subscription
from .saved_searches import SEARCH_KINDS, describe

blp = Blueprint("api_alerts", __name__, description="订阅与通知：保存的检索、关注的需求、站内通知")


class NotificationOut(Schema):
    id = fields.Int()
    category = fields.Str(metadata={"description": "alert（订阅提醒）、recommendation（经纪人推荐）、review（审核结果）、"
                                                   "challenge（揭榜挂帅）、inquiry（洽谈）、system 等"})
    title = fields.Str()
    body = fields.Str(allow_none=True)
    link = fields.Str(allow_none=True)
    subject_type = fields.Str(allow_none=True)
    subject_id = fields.Int(allow_none=True)
    created_at = UtcDateTime()
    read_at = UtcDateTime(allow_none=True)


NotificationPage = page_schema(NotificationOut, "NotificationPage")


class NotificationArgs(PageArgs):
    unread = fields.Bool(load_default=False, metadata={"description": "只看未读"})


class ReadInput(InputSchema):
    ids = fields.List(fields.Int(strict=True), load_default=None, allow_none=True,
                      metadata={"description": "要标为已读的通知 id；省略则全部标为已读"})


class SubscriptionIn(InputSchema):
    kind = fields.Str(load_default="achievement", metadata={
        "enum": list(SEARCH_KINDS), "description": "订阅的检索类型：科技成果、专利、技术需求或揭榜挂帅榜单；筛选条件按该类型检索页的"
                                                   "分面字段及其取值校验（如科技成果的 trl_band=7-9、technical_field、"
                                                   "transfer_modes=equity 作价投资）"})
    name = Text(max_length=200)
    query_text = Text(max_length=500, metadata={"example": "钙钛矿电池"})
    filters = fields.Dict(keys=fields.Str(), values=fields.Raw(), load_default=dict)
    email = fields.Bool(load_default=True)


class SubscriptionOut(Schema):
    id = fields.Int()
    kind = fields.Str(metadata={"enum": ["search", "demand"]})
    search_kind = fields.Str(metadata={"enum": list(SEARCH_KINDS),
                                       "description": "检索订阅（及关注需求）所关注的记录类型"})
    name = fields.Str()
    query_text = fields.Str(allow_none=True)
    filters = fields.Dict()
    filter_labels = fields.Function(
        lambda s: [{"field": title, "values": values} for title, values in describe(s)],
        metadata={"type": "array", "items": {"type": "object"},
                  "description": "筛选条件的名称与取值（按界面语言显示的文字，而非代码）"})
    demand_id = fields.Int(allow_none=True)
    email = fields.Bool()
    active = fields.Bool()
    created_at = UtcDateTime()
    last_notified_at = UtcDateTime(allow_none=True)


@blp.route("/notifications")
class Notifications(MethodView):
    @require_user
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, NotificationPage)
    def get(self, args):
        """我的通知（最新在前）"""
        return paginate(services.notifications_query(current_user, args["unread"]), args)


@blp.route("/notifications/unread-count")
class UnreadCount(MethodView):
    @require_user
    @blp.response(200, Schema.from_dict({"unread": fields.Int()}, name="UnreadCount"))
    def get(self):
        """未读通知数"""
        return {"unread": services.unread_count(current_user)}


@blp.route("/notifications/read")
class MarkRead(MethodView):
    @require_user
    @write_limit
    @json_body(ReadInput, required=False)
    @blp.response(200, Schema.from_dict({"updated": fields.Int()}, name="MarkReadResult"))
    def post(self, payload):
        """把通知标为已读"""
        ids = load_or_raise(ReadInput(), payload).get("ids")
        updated = services.mark_read(current_user, ids)
        commit()
        return {"updated": updated}


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @require_user
    @blp.response(200, SubscriptionOut(many=True))
    def get(self):
        """我的订阅"""
        return services.subscriptions_of(current_user)

    @require_user
    @write_limit
    @json_body(SubscriptionIn)
    @blp.response(201, SubscriptionOut)
    @problems(422)
    def post(self, payload):
        """保存检索为订阅：有新发布的科技成果（kind=patent：专利；demand：技术需求；challenge：揭榜挂帅榜单）符合时通知我"""
        data = load_or_raise(SubscriptionIn(), payload)
        subscription = services.save_search(current_user, data.get("query_text"), data.get("filters"),
                                            data.get("name"), data.get("email", True), kind=data.get("kind"))
        commit()
        return subscription


@blp.route("/subscriptions/<int:subscription_id>")
class SubscriptionItem(MethodView):
    @require_user
    @write_limit
    @blp.response(204)
    @problems(404)
    def delete(self, subscription_id):
        """删除订阅"""
        services.unsubscribe(current_user, services.subscription_of(current_user, subscription_id))
        commit()


@blp.route("/demands/<int:demand_id>/follow")
class FollowDemand(MethodView):
    @require_user
    @write_limit
    @blp.response(201, SubscriptionOut)
    @problems(404)
    def post(self, demand_id):
        """关注需求：有新的匹配成果发布时通知我"""
        demand = db.session.get(Demand, demand_id)
        if demand is None:
            raise NotFound()
        subscription = services.follow_demand(current_user, demand)
        commit()
        return subscription

    @require_user
    @write_limit
    @blp.response(204)
    @problems(404)
    def delete(self, demand_id):
        """取消关注需求"""
        subscription = db.session.execute(db.select(Subscription).where(
            Subscription.user_id == current_user.id, Subscription.kind == DEMAND,
            Subscription.demand_id == demand_id)).scalar_one_or_none()
        if subscription is None:
            raise NotFound()
        services.unsubscribe(current_user, subscription)
        commit()
