"""JSON API of matching (/api/v1). The free-text endpoints are public and rate-limited per IP; the others follow
the listing's visibility (404 for what the caller cannot see) and are for the owner organisation and brokers."""
from __future__ import annotations

from flask import current_app, jsonify
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..achievements.models import Achievement
from ..api_common import commit, json_body, optional_user, problems, require_user, write_limit
from ..demands.models import Demand
from ..extensions import limiter
from ..validation import load_or_raise
from . import services
from .schemas import (MAX_SIZE, CurationOut, DemandMatchArgs, MatchList, MatchTextInput, PatentMatchTextInput,
                      RecommendInput, SizeArgs, match_json)

blp = Blueprint("api_matching", __name__, description="供需匹配：需求 → 成果/开放许可专利，成果 → 需求；经纪人置顶、忽略与推荐")


def _match_limit() -> str:
    return current_app.config.get("MATCH_RATE_LIMIT", "120 per minute")


def _results(candidates):
    """The :class:`MatchList` response (documented by the schema, built by :func:`match_json`)."""
    return jsonify({"results": [match_json(c) for c in candidates]})


def _match_text(payload: dict, kind: str):
    schema = MatchTextInput() if kind == "achievement" else PatentMatchTextInput()
    args = load_or_raise(schema, payload)
    size = min(args["size"], MAX_SIZE)
    return _results(services.match_text(args["text"], kind=kind, size=size, filters=args["filters"]))


@blp.route("/match/achievements")
class MatchAchievements(MethodView):
    @optional_user
    @limiter.limit(_match_limit)
    @json_body(MatchTextInput, "需求文本与可选的分面筛选")
    @blp.response(200, MatchList)
    @problems(429, 503)
    def post(self, payload):
        """已发布科技成果的匹配（按相关度从高到低），每条附匹配理由"""
        return _match_text(payload, "achievement")


@blp.route("/match/patents")
class MatchPatents(MethodView):
    @optional_user
    @limiter.limit(_match_limit)
    @json_body(PatentMatchTextInput, "需求文本与可选的分面筛选")
    @blp.response(200, MatchList)
    @problems(429, 503)
    def post(self, payload):
        """已发布且声明开放许可的专利的匹配"""
        return _match_text(payload, "patent")


@blp.route("/demands/<int:demand_id>/matches")
class DemandMatches(MethodView):
    @require_user
    @blp.arguments(DemandMatchArgs, location="query")
    @blp.response(200, MatchList)
    @problems(403, 404, 503)
    def get(self, args, demand_id):
        """需求的匹配结果：经纪人置顶的在前，已忽略的隐藏（需求方机构成员与技术经纪人可见）"""
        demand = services.visible_listing(Demand, demand_id, current_user)
        show_dismissed = args["show_dismissed"] and current_user.is_broker
        return _results(services.matches_for_demand(demand, kind=args["kind"], size=args["size"],
                                                    show_dismissed=show_dismissed))


@blp.route("/achievements/<int:achievement_id>/matching-demands")
class AchievementDemands(MethodView):
    @require_user
    @blp.arguments(SizeArgs, location="query")
    @blp.response(200, MatchList)
    @problems(403, 404, 503)
    def get(self, args, achievement_id):
        """成果可以回应的已发布技术需求（成果方机构成员与技术经纪人可见）"""
        achievement = services.visible_listing(Achievement, achievement_id, current_user)
        return _results(services.demands_for_achievement(achievement, size=args["size"]))


def _curate(demand_id: int, kind: str, target_id: int, state: str):
    demand = services.visible_listing(Demand, demand_id, current_user)
    match = services.set_curation(current_user, demand, kind, target_id, state)
    commit()
    return match


_TARGET = "/demands/<int:demand_id>/matches/<any(achievement, patent):kind>/<int:target_id>"


@blp.route(_TARGET + "/pin")
class Pin(MethodView):
    @require_user
    @write_limit
    @blp.response(200, CurationOut)
    @problems(403, 404)
    def post(self, demand_id, kind, target_id):
        """置顶一条匹配结果（技术经纪人）"""
        return _curate(demand_id, kind, target_id, "pinned")


@blp.route(_TARGET + "/dismiss")
class Dismiss(MethodView):
    @require_user
    @write_limit
    @blp.response(200, CurationOut)
    @problems(403, 404)
    def post(self, demand_id, kind, target_id):
        """忽略一条匹配结果，不再显示（技术经纪人）"""
        return _curate(demand_id, kind, target_id, "dismissed")


@blp.route(_TARGET + "/reset")
class Reset(MethodView):
    @require_user
    @write_limit
    @blp.response(200, CurationOut)
    @problems(403, 404)
    def post(self, demand_id, kind, target_id):
        """取消置顶或忽略（技术经纪人）"""
        return _curate(demand_id, kind, target_id, "none")


@blp.route(_TARGET + "/recommend")
class Recommend(MethodView):
    @require_user
    @write_limit
    @json_body(RecommendInput, "推荐说明（可选）", required=False)
    @blp.response(200, CurationOut)
    @problems(403, 404)
    def post(self, demand_id, kind, target_id, payload):
        """把这条匹配推荐给供需双方：双方机构成员都会收到站内通知（技术经纪人）"""
        demand = services.visible_listing(Demand, demand_id, current_user)
        values = load_or_raise(RecommendInput(), payload)
        match = services.recommend(current_user, demand, kind, target_id, values.get("note"),
                                   open_lead=values.get("open_lead", False))
        commit()
        return match
