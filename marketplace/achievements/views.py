"""Achievement pages: browse, detail, create/edit forms and the owner's lifecycle buttons."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import kinds, listing_edits
from ..extensions import db
from ..records import get_visible
from ..web import listing_pages
from ..web.context import list_separator
from ..web.listing_pages import ListingForm
from ..web.messages import N_
from ..web.pagination import page_arg
from ..permissions import can_view_matches
from ..patents.models import Patent
from . import services
from .models import Achievement
from .reading import ACHIEVEMENTS, page_options
from .schemas import AchievementInput

bp = Blueprint("achievements", __name__, url_prefix="/achievements")


def _data(data: dict) -> dict:
    if request.form.get("negotiable"):
        data["price_amount"] = None
    return data


def _values(record: Achievement, values: dict) -> dict:
    values["keywords"] = list_separator().join(values["keywords"] or [])
    values["trl"] = str(values["trl"]) if values["trl"] else ""
    price = values["price_amount"]
    values["price_amount"] = "" if price is None else f"{price:f}".rstrip("0").rstrip(".")
    values["negotiable"] = price is None
    values["patent_ids"] = [str(patent_id) for patent_id in values["patent_ids"] or []]
    return values


def _org_patents() -> dict:
    if current_user.org_id is None:
        return {"patents": []}
    return {"patents": list(db.session.execute(db.select(Patent).where(Patent.org_id == current_user.org_id)
                                               .order_by(Patent.number).limit(500)).scalars())}


FORM = ListingForm(
    kinds.ACHIEVEMENT, "achievements/form.html", services.create_achievement, services.update_achievement,
    AchievementInput(), ("title", "summary", "description", "keywords", "technical_field", "discipline", "industries",
                         "trl", "ip_type", "transfer_modes", "price_amount", "benefits", "team", "region", "contact",
                         "patent_ids"),
    multi=("industries", "transfer_modes"), split=("keywords",), ints=("patent_ids",),
    created_message=N_("草稿已保存。确认无误后请提交审核。"), no_org_message=N_("请先加入一个机构再发布成果"),
    to_data=_data, to_values=_values, context=_org_patents,
    new_values=lambda user: {"region": user.organization.region if user.organization else "", "negotiable": True})


@bp.get("")
def index():
    """Published achievements with filters, sorting and page links (parameters: achievements/reading.py)."""
    args = ACHIEVEMENTS.parse_page(request.args)
    page = ACHIEVEMENTS.public_page(args, page=page_arg(), options=page_options())
    return render_template("achievements/index.html", page=page, filters=args.query_string(ACHIEVEMENTS),
                           sort=args.sort)


@bp.get("/<int:record_id>")
def show(record_id: int):
    """One achievement; not-yet-published ones only for their organisation and reviewers (404 otherwise)."""
    record = get_visible(Achievement, record_id, current_user)
    return render_template("achievements/show.html", record=record, kind=kinds.ACHIEVEMENT,
                           actions=listing_edits.actions(current_user, record),
                           can_view_matches=can_view_matches(current_user, record))


listing_pages.register_routes(bp, FORM)
