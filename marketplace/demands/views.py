"""Demand pages (产业界出题): browse, detail, forms and the owner's buttons (incl. closing a demand)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import kinds, listing_edits
from ..records import get_visible
from ..web import listing_pages
from ..web.context import list_separator
from ..web.listing_pages import ListingForm
from ..web.messages import N_
from ..web.pagination import page_arg
from ..alerts import services as alerts
from ..permissions import can_view_matches
from . import services
from .models import Demand
from .reading import DEMANDS, page_options
from .schemas import DemandInput

bp = Blueprint("demands", __name__, url_prefix="/demands")

def _amount(value) -> str:
    return "" if value is None else f"{value:f}".rstrip("0").rstrip(".")


def _values(record: Demand, values: dict) -> dict:
    values["keywords"] = list_separator().join(values["keywords"] or [])
    values["budget_min"], values["budget_max"] = _amount(values["budget_min"]), _amount(values["budget_max"])
    values["deadline"] = values["deadline"].isoformat() if values["deadline"] else ""
    values["trl_min"] = str(values["trl_min"]) if values["trl_min"] else ""
    return values


FORM = ListingForm(
    kinds.DEMAND, "demands/form.html", services.create_demand, services.update_demand, DemandInput(),
    ("title", "problem", "indicators", "keywords", "industry", "technical_field", "budget_min", "budget_max",
     "deadline", "region", "cooperation_modes", "trl_min"),
    multi=("cooperation_modes",), split=("keywords",), created_message=N_("需求草稿已保存。确认无误后请提交审核。"),
    no_org_message=N_("请先加入一个机构再发布需求"), to_values=_values,
    new_values=lambda user: {"region": user.organization.region if user.organization else ""})


@bp.get("")
def index():
    """Published demands with filters (industry, field, region, budget, cooperation mode, organisation type)."""
    args = DEMANDS.parse_page(request.args)
    page = DEMANDS.public_page(args, page=page_arg(), options=page_options())
    return render_template("demands/index.html", page=page, filters=args.query_string(DEMANDS), sort=args.sort)


@bp.get("/<int:record_id>")
def show(record_id: int):
    record = get_visible(Demand, record_id, current_user)
    return render_template("demands/show.html", record=record, kind=kinds.DEMAND,
                           actions=listing_edits.actions(current_user, record),
                           can_view_matches=can_view_matches(current_user, record),
                           following=alerts.following(current_user, record))


listing_pages.register_routes(bp, FORM)
