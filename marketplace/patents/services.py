"""Patent operations and open licence declarations (专利开放许可)."""
from __future__ import annotations

from ..access import can_edit, check_version
from ..audit.services import record
from ..errors import NotFound, PermissionDenied, ValidationFailed
from ..extensions import db
from ..listings import DRAFT, REJECTED
from ..timeutil import utcnow
from ..validation import load_or_raise
from .models import OpenLicence, Patent
from .schemas import OpenLicenceInput, PatentInput

_input = PatentInput()
_licence_input = OpenLicenceInput()


def _normalise_number(number: str) -> str:
    return number.strip().upper().replace(" ", "")


def _check_unique(number: str, exclude_id: int | None = None) -> None:
    query = db.select(Patent.id).where(Patent.number == number)
    if exclude_id:
        query = query.where(Patent.id != exclude_id)
    if db.session.execute(query).first():
        raise ValidationFailed(errors={"number": ["该专利号已登记"]})


def create_patent(actor, data: dict) -> Patent:
    if not getattr(actor, "is_authenticated", False) or actor.org_id is None:
        raise PermissionDenied("请先加入一个机构再登记专利")
    values = load_or_raise(_input, data)
    values["number"] = _normalise_number(values["number"])
    _check_unique(values["number"])
    patent = Patent(org_id=actor.org_id, owner_id=actor.id, status=DRAFT, **values)
    if patent.region is None and actor.organization is not None:
        patent.region = actor.organization.region
    db.session.add(patent)
    db.session.flush()
    record(actor, "patent.create", patent)
    return patent


def update_patent(actor, patent: Patent, data: dict, expected_version: int | None = None,
                  partial: bool = False) -> Patent:
    if not can_edit(actor, patent):
        raise NotFound()
    check_version(patent, expected_version)
    values = load_or_raise(_input, data, partial=partial)
    if "number" in values:
        values["number"] = _normalise_number(values["number"])
        _check_unique(values["number"], exclude_id=patent.id)
    changed = [k for k, v in values.items() if getattr(patent, k) != v]
    for key in changed:
        setattr(patent, key, values[key])
    if changed:
        patent.updated_at = utcnow()
        record(actor, "patent.update", patent, {"fields": changed})
    return patent


def delete_patent(actor, patent: Patent) -> None:
    if not can_edit(actor, patent):
        raise NotFound()
    if patent.status not in (DRAFT, REJECTED):
        raise ValidationFailed("只能删除草稿或被退回的专利；已发布的专利请归档")
    record(actor, "patent.delete", patent, {"number": patent.number})
    db.session.delete(patent)


def declare_open_licence(actor, patent: Patent, data: dict) -> OpenLicence:
    """Declare (or replace) the patent's open licence terms."""
    if not can_edit(actor, patent):
        raise NotFound()
    if patent.legal_status != "granted":
        raise ValidationFailed("只有有效（已授权）的专利可以声明开放许可")
    values = load_or_raise(_licence_input, data)
    if patent.open_licence is None:
        patent.open_licence = OpenLicence(**values)
    else:
        for key, value in values.items():
            setattr(patent.open_licence, key, value)
        patent.open_licence.active = True
        patent.open_licence.declared_at = utcnow()
    patent.updated_at = utcnow()  # the patent's version moves on, so its search document is refreshed
    record(actor, "patent.open_licence", patent, {"term_years": values["term_years"]})
    return patent.open_licence


def withdraw_open_licence(actor, patent: Patent) -> None:
    if not can_edit(actor, patent):
        raise NotFound()
    if patent.open_licence is None or not patent.open_licence.active:
        raise ValidationFailed("该专利没有生效中的开放许可声明")
    patent.open_licence.active = False
    patent.updated_at = utcnow()
    record(actor, "patent.open_licence_withdraw", patent)
