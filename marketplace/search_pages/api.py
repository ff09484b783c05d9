"""JSON search API: ``GET /api/v1/search/<kind>`` and ``GET /api/v1/search/suggest``.

Same engine, filters and database fallback as the pages: facet parameters repeat (``technical_field=ai&
technical_field=new_materials``: OR within a field, AND across fields) and each field's counts use the other fields'
filters only. When the engine is unavailable the answer is still 200, from the database, with ``"degraded": true``
and no facet counts.

The hits are listed under ``items`` like every other list of the API; ``results``, the old key, carries the same
list for one release (deprecated in the OpenAPI document and the README).
"""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from .. import kinds
from ..api_common import optional_user
from . import service
from .facets import PAGES
from ..validation import OneOf, UtcDateTime
from ..web.messages import N_

# Routes carry the /search segment themselves: create_app registers every API blueprint at url_prefix="/api/v1".
blp = Blueprint("api_search", __name__,
                description="全文检索：科技成果、专利、技术需求、揭榜挂帅榜单、机构（分面统计、高亮、联想词）。"
                            "命中记录在 items 中，与其他列表接口相同；旧键 results（内容与 items 相同）已弃用，"
                            "保留一个版本后删除。")

KIND_PATHS = {kind.api_path: name for name, kind in kinds.SEARCHABLE_KINDS.items()}


# -- arguments ------------------------------------------------------------------------------------------------------

def _int(low: int, high: int, *, default: int, description: str | None = None) -> fields.Int:
    """An integer query argument with Chinese messages (the API's language, like the forms)."""
    return fields.Int(load_default=default, validate=validate.Range(min=low, max=high,
                                                                     error=f"应为 {low} 到 {high} 之间的整数"),
                      error_messages={"invalid": "请输入整数"}, metadata={"description": description} if description else {})


def _args_schema(kind: str) -> type[Schema]:
    config = PAGES[kind]
    attrs: dict = {
        "q": fields.Str(load_default="", metadata={
            "description": f"关键词（按中文分词检索；超过 {service.MAX_QUERY_CHARS} 个字符的部分被忽略；"
                           "只含标点或“的”等常用词时无结果，留空则列出全部）"}),
        "page": _int(1, 100_000, default=1, description="页码，从 1 开始"),
        "page_size": _int(1, service.MAX_PAGE_SIZE, default=20, description=f"每页条数，1–{service.MAX_PAGE_SIZE}"),
        "sort": fields.Str(load_default=None, validate=OneOf(list(config.sorts), N_("排序方式")),
                           metadata={"description": "排序；不填时有关键词按相关度，否则按发布时间"}),
    }
    for facet in config.facets:
        item = fields.Str(validate=OneOf(list(facet.vocabulary), facet.title)) \
            if facet.vocabulary is not None else fields.Str(validate=validate.Length(min=1, max=40,
                                                                                     error="每项应为 1 到 40 个字符"))
        attrs[facet.field] = fields.List(item, metadata={"description": f"{facet.title}（可重复，值之间为“或”）"})
    return Schema.from_dict(attrs, name=f"Search{kind.title()}Args")


class SuggestArgs(Schema):
    kind = fields.Str(load_default="achievement", validate=OneOf(list(PAGES), N_("类型")))
    q = fields.Str(load_default="", metadata={"description": "已输入的前缀"})
    size = _int(1, 20, default=8)


# -- responses ------------------------------------------------------------------------------------------------------

class _Hit(Schema):
    id = fields.Int()
    url = fields.Str()
    highlights = fields.Dict(keys=fields.Str(), values=fields.Str(),
                             metadata={"description": "字段 → 含 <mark> 的已转义 HTML 片段"})


class AchievementHit(_Hit):
    title = fields.Str()
    summary = fields.Str()
    keywords = fields.List(fields.Str())
    technical_field = fields.Str()
    trl = fields.Int(allow_none=True)
    ip_type = fields.Str(allow_none=True)
    transfer_modes = fields.List(fields.Str())
    price_amount = fields.Float(allow_none=True, metadata={"description": "万元；null 表示面议"})
    region = fields.Str(allow_none=True)
    org_id = fields.Int()
    org_name = fields.Str(allow_none=True)
    quality_year = fields.Int(allow_none=True)
    published_at = UtcDateTime(allow_none=True)


class PatentHit(_Hit):
    number = fields.Str()
    title = fields.Str()
    abstract = fields.Str(allow_none=True)
    patent_type = fields.Str()
    legal_status = fields.Str()
    ipc_codes = fields.List(fields.Str())
    applicant = fields.Str()
    open_licence = fields.Bool()
    region = fields.Str(allow_none=True)
    org_id = fields.Int()
    published_at = UtcDateTime(allow_none=True)


class DemandHit(_Hit):
    title = fields.Str()
    problem = fields.Str()
    keywords = fields.List(fields.Str())
    industry = fields.Str()
    technical_field = fields.Str(allow_none=True)
    cooperation_modes = fields.List(fields.Str())
    budget_min = fields.Float(allow_none=True)
    budget_max = fields.Float(allow_none=True)
    deadline = fields.Date(allow_none=True)
    region = fields.Str(allow_none=True)
    org_id = fields.Int()
    org_name = fields.Str(allow_none=True)
    published_at = UtcDateTime(allow_none=True)


class ChallengeHit(_Hit):
    title = fields.Str()
    problem = fields.Str()
    technical_field = fields.Str()
    industry = fields.Str(allow_none=True)
    funding_mode = fields.Str()
    stage = fields.Str(metadata={"description": "榜单阶段：open 征集中、reviewing 评审中、awarded、in_delivery……"})
    reward_amount = fields.Float(metadata={"description": "榜额，万元"})
    application_deadline = fields.Date()
    region = fields.Str(allow_none=True)
    org_id = fields.Int()
    org_name = fields.Str(allow_none=True)
    published_at = UtcDateTime(allow_none=True)


class OrganizationHit(_Hit):
    name = fields.Str()
    org_type = fields.Str()
    region = fields.Str(allow_none=True)
    description = fields.Str(allow_none=True)


HIT_SCHEMAS = {"achievement": AchievementHit, "patent": PatentHit, "demand": DemandHit,
               "challenge": ChallengeHit, "organization": OrganizationHit}


#: the list's old key, kept for one release next to ``items`` (the key of every other list of the API)
RESULTS_ALIAS = "results"


def _page_schema(kind: str) -> type[Schema]:
    return Schema.from_dict({
        "items": fields.List(fields.Nested(HIT_SCHEMAS[kind]),
                             metadata={"description": "本页命中的记录，按排序顺序（与其他列表接口的 items 相同）"}),
        RESULTS_ALIAS: fields.List(fields.Nested(HIT_SCHEMAS[kind]), metadata={
            "deprecated": True,
            "description": "已弃用：与 items 相同，为兼容旧客户端保留一个版本，下一版本删除；请改用 items"}),
        "total": fields.Int(metadata={"description": "命中总数"}),
        "page": fields.Int(),
        "page_size": fields.Int(),
        "pages": fields.Int(),
        "q": fields.Str(metadata={"description": "实际检索的关键词（截断后）"}),
        "sort": fields.Str(),
        "facets": fields.Dict(keys=fields.Str(), values=fields.Dict(keys=fields.Str(), values=fields.Int()),
                              metadata={"description": "分面字段 → 取值 → 数量（降级时为空）。多选：每个字段的数量"
                                                       "按其他字段的筛选条件统计，已选字段的其他取值仍有数量"}),
        "degraded": fields.Bool(metadata={"description": "为 true 时检索服务不可用，结果来自数据库（无分面统计）"}),
        "did_you_mean": fields.List(fields.Str()),
    }, name=f"Search{kind.title()}Page")


class SuggestOut(Schema):
    suggestions = fields.List(fields.Str())
    degraded = fields.Bool()


def _record_url(kind: str, record_id: int) -> str:
    endpoint, arg = kinds.get(kind).show_endpoint, kinds.get(kind).show_arg
    try:
        return url_for(endpoint, **{arg: record_id})
    except Exception:  # noqa: BLE001 - the HTML pages may not be installed
        return ""


def _hit(kind: str, record, highlights: dict) -> dict:
    item = {"id": record.id, "url": _record_url(kind, record.id),
            "highlights": {name: str(snippet) for name, snippet in highlights.items()}}
    if kind in ("achievement", "demand", "challenge"):
        org = record.organization
        item["org_name"] = org.name if org is not None else None
    if kind == "patent":
        item["open_licence"] = record.has_open_licence
    for name in HIT_SCHEMAS[kind]._declared_fields:
        if name not in item and hasattr(record, name):
            item[name] = getattr(record, name)
    return item


def _search(kind: str, args: dict) -> dict:
    filters = {name: values for name, values in args.items()
               if PAGES[kind].facet(name) is not None and values}
    request = service.make_request(kind, args.get("q", ""), filters, args.get("sort"), args.get("page", 1),
                                   args.get("page_size", 20))
    outcome = service.search(request, highlight=True)
    hits = [_hit(kind, r, outcome.highlights.get(r.id, {})) for r in outcome.records]
    return {
        "items": hits, RESULTS_ALIAS: hits,
        "total": outcome.total, "page": request.page, "page_size": request.page_size, "pages": outcome.pages,
        "q": request.q, "sort": request.sort, "facets": outcome.facets, "degraded": outcome.degraded,
        "did_you_mean": outcome.did_you_mean,
    }


def _make_view(path: str, kind: str) -> None:
    class SearchView(MethodView):
        @optional_user
        @blp.arguments(_args_schema(kind), location="query")
        @blp.response(200, _page_schema(kind))
        def get(self, args):
            return _search(kind, args)

    SearchView.get.__doc__ = f"{PAGES[kind].title}（全文检索 + 分面筛选）"
    SearchView.__name__ = f"Search{kind.title()}"
    blp.route(f"/search/{path}", endpoint=f"search_{path}")(SearchView)


for _path, _kind in KIND_PATHS.items():
    _make_view(_path, _kind)


@blp.route("/search/suggest")
class Suggest(MethodView):
    @optional_user
    @blp.arguments(SuggestArgs, location="query")
    @blp.response(200, SuggestOut)
    def get(self, args):
        """输入联想：标题与关键词"""
        suggestions, degraded = service.suggest(args["kind"], args["q"], args["size"])
        return {"suggestions": suggestions, "degraded": degraded}
