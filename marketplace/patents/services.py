"""Patent operations and open licence declarations (专利开放许可)."""
from __future__ import annotations

from .. import kinds, listing_edits
from ..audit.services import record
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..listing_edits import ListingEditor
from ..permissions import can_see_listing, owns, require
from ..timeutil import utcnow
from ..validation import load_or_raise
from .models import OpenLicence, Patent
from .schemas import OpenLicenceInput, PatentInput

_licence_input = OpenLicenceInput()


def _prepare(actor, values: dict, record: Patent | None) -> None:
    """A patent's own rule: its number (normalised) is registered once."""
    if "number" not in values:
        return
    values["number"] = values["number"].strip().upper().replace(" ", "")
    query = db.select(Patent.id).where(Patent.number == values["number"])
    if record is not None:
        query = query.where(Patent.id != record.id)
    if db.session.execute(query).first():
        raise ValidationFailed(errors={"number": ["该专利号已登记"]})


EDITOR = ListingEditor(kinds.PATENT, PatentInput(), "请先加入一个机构再登记专利", _prepare)


def create_patent(actor, data: dict) -> Patent:
    return listing_edits.create(actor, EDITOR, data)


def update_patent(actor, patent: Patent, data: dict, expected_version: int | None = None,
                  partial: bool = False) -> Patent:
    return listing_edits.update(actor, EDITOR, patent, data, expected_version, partial)


def delete_patent(actor, patent: Patent) -> None:
    listing_edits.perform(actor, patent, "delete")


def require_patentee(actor, patent: Patent) -> None:
    """Open licence declarations are the patentee's: 404 for those who cannot see the patent, 403 for others."""
    if not can_see_listing(actor, patent):
        raise NotFound()
    require(owns(actor, patent), "只有该记录所属机构的成员可以修改")


def declare_open_licence(actor, patent: Patent, data: dict) -> OpenLicence:
    """Declare (or replace) the patent's open licence terms."""
    require_patentee(actor, patent)
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
    require_patentee(actor, patent)
    if patent.open_licence is None or not patent.open_licence.active:
        raise ValidationFailed("该专利没有生效中的开放许可声明")
    patent.open_licence.active = False
    patent.updated_at = utcnow()
    record(actor, "patent.open_licence_withdraw", patent)
