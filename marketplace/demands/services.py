"""Demand operations (产业界出题: enterprises post the problems they need solved)."""
from __future__ import annotations

from .. import kinds, listing_edits
from ..errors import ValidationFailed
from ..listing_edits import ListingEditor
from .models import Demand
from .schemas import DemandInput


def _prepare(actor, values: dict, record: Demand | None) -> None:
    """A demand's own rule: the budget range is ordered (with the stored bound when only one is edited)."""
    low = values.get("budget_min", record.budget_min if record is not None else None)
    high = values.get("budget_max", record.budget_max if record is not None else None)
    if low is not None and high is not None and high < low:
        raise ValidationFailed(errors={"budget_max": ["预算上限不能低于预算下限"]})


EDITOR = ListingEditor(kinds.DEMAND, DemandInput(), "请先加入一个机构再发布需求", _prepare)


def create_demand(actor, data: dict) -> Demand:
    return listing_edits.create(actor, EDITOR, data)


def update_demand(actor, demand: Demand, data: dict, expected_version: int | None = None,
                  partial: bool = False) -> Demand:
    return listing_edits.update(actor, EDITOR, demand, data, expected_version, partial)


def delete_demand(actor, demand: Demand) -> None:
    listing_edits.perform(actor, demand, "delete")
