"""JSON API of favourites (/api/v1/favourites): list mine, check, add (PUT, idempotent) and remove one listing."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..api_common import PageArgs, commit, page_schema, paginate, read_endpoint, write_endpoint
from ..validation import Choice, UtcDateTime
from . import services

blp = Blueprint("api_favourites", __name__, description="收藏：关注的科技成果、专利、技术需求和揭榜挂帅榜单")

KINDS = list(services.FAVOURITE_KINDS)
COLLECTIONS = [kind.collection for kind in services.FAVOURITE_KINDS.values()]
ITEM = "/favourites/<collection>/<int(max=2147483647):record_id>"


class FavouriteOut(Schema):
    kind = fields.Function(lambda e: e.kind.name, metadata={"type": "string", "enum": KINDS})
    record_id = fields.Int()
    created_at = UtcDateTime()
    available = fields.Bool(metadata={"description": "是否仍公开发布；已下架时不返回标题等内容"})
    title = fields.Str(allow_none=True)
    path = fields.Str(allow_none=True, metadata={"description": "网页地址（已下架时为空）"})


FavouritePage = page_schema(FavouriteOut, "FavouritePage")


class FavouriteArgs(PageArgs):
    kind = Choice(KINDS, label="记录类型", metadata={"description": "只看一种记录"})


def _path_doc(view):
    view.__doc__ = view.__doc__ + f"\n\ncollection：{'、'.join(COLLECTIONS)}"
    return view


@blp.route("/favourites")
class Favourites(MethodView):
    @read_endpoint(blp, FavouritePage, query=FavouriteArgs, errors=(422,), login=True)
    def get(self, args):
        """我的收藏（最新在前）；已下架的记录只给出类型和编号"""
        kind = services.kind_named(args["kind"]) if args.get("kind") else None
        page = paginate(services.favourites_query(current_user, kind), args)
        page["items"] = services.entries(page["items"])
        return page


@blp.route(ITEM)
class FavouriteItem(MethodView):
    @read_endpoint(blp, FavouriteOut, errors=(404,), login=True)
    @_path_doc
    def get(self, collection, record_id):
        """是否已收藏：已收藏返回该收藏，否则 404"""
        return services.get(current_user, services.kind_named(collection), record_id)

    @write_endpoint(blp, FavouriteOut, errors=(404, 422))
    @_path_doc
    def put(self, collection, record_id):
        """收藏一条已发布的记录（重复收藏不出错）；未发布或不存在的记录返回 404"""
        entry = services.add(current_user, services.kind_named(collection), record_id)
        commit()
        return entry

    @write_endpoint(blp, errors=(404,))
    @_path_doc
    def delete(self, collection, record_id):
        """取消收藏；不在收藏中返回 404"""
        services.remove(current_user, services.kind_named(collection), record_id)
        commit()
