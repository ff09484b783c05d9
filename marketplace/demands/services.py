"""Demand operations (产业界出题: enterprises post the problems they need solved)."""
from __future__ import annotations

from ..access import can_edit, check_version
from ..audit.services import record
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..listings import DRAFT, REJECTED
from ..timeutil import utcnow
from ..validation import load_or_raise
from .models import Demand
from .schemas import DemandInput

_input = DemandInput()


def create_demand(actor, data: dict) -> Demand:
    if not getattr(actor, "is_authenticated", False) or actor.org_id is None:
        raise PermissionDenied("请先加入一个机构再发布需求")
    values = load_or_raise(_input, data)
    demand = Demand(org_id=actor.org_id, owner_id=actor.id, status=DRAFT, **values)
    if demand.region is None and actor.organization is not None:
        demand.region = actor.organization.region
    db.session.add(demand)
    db.session.flush()
    record(actor, "demand.create", demand)
    return demand


def update_demand(actor, demand: Demand, data: dict, expected_version: int | None = None,
                  partial: bool = False) -> Demand:
    if not can_edit(actor, demand):
        raise NotFound()
    check_version(demand, expected_version)
    values = load_or_raise(_input, data, partial=partial)
    low = values.get("budget_min", demand.budget_min)
    high = values.get("budget_max", demand.budget_max)
    if low is not None and high is not None and high < low:
        raise ValidationFailed(errors={"budget_max": ["预算上限不能低于预算下限"]})
    changed = [k for k, v in values.items() if getattr(demand, k) != v]
    for key in changed:
        setattr(demand, key, values[key])
    if changed:
        demand.updated_at = utcnow()
        record(actor, "demand.update", demand, {"fields": changed})
    return demand


def delete_demand(actor, demand: Demand) -> None:
    if not can_edit(actor, demand):
        raise NotFound()
    if demand.status not in (DRAFT, REJECTED):
        raise ValidationFailed("只能删除草稿或被退回的需求；已发布的需求请关闭")
    record(actor, "demand.delete", demand, {"title": demand.title})
    db.session.delete(demand)
