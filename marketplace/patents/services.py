"""Patent operations and open licence declarations (专利开放许可)."""
from __future__ import annotations

from datetime import date

from .. import kinds, listing_edits
from ..audit.services import record
from ..deals.models import LicenceStatus, PatentLicence
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..listing_edits import ListingEditor
from ..permissions import can_see_listing, owns, require
from ..timeutil import utcnow
from ..validation import load_or_raise
from ..web.messages import N_, tr
from .models import OpenLicence, Patent
from .schemas import LicenceObstaclesInput, OpenLicenceInput, PatentInput

_licence_input = OpenLicenceInput()
_obstacles_input = LicenceObstaclesInput()

NOT_GRANTED = N_("只有有效（已授权）的专利可以声明开放许可")
PLEDGED = N_("该专利已质押且未取得质权人同意，须经质权人同意后才能声明开放许可")
FEES_OVERDUE = N_("该专利年费欠缴，补缴后才能声明开放许可")
DISPUTED = N_("该专利存在权属纠纷或被采取保全措施，纠纷解决或保全解除前不能声明开放许可")
EXCLUSIVE_IN_FORCE = N_("该专利有生效中的%(scope)s（被许可人：%(licensee)s，至 %(ends_on)s），期满或终止前不能声明开放许可")
BLOCKING_SCOPES = {"exclusive": N_("独占许可"), "sole": N_("排他许可")}


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


def licences_in_force(patent: Patent, scopes=None, on: date | None = None) -> list[PatentLicence]:
    """The patent's licences in force ``on`` a day (default today): active and not yet past their end, optionally
    only of ``scopes`` (e.g. exclusive and sole)."""
    query = db.select(PatentLicence).where(
        PatentLicence.patent_id == patent.id, PatentLicence.status == LicenceStatus.ACTIVE,
        PatentLicence.ends_on >= (on or date.today())).order_by(PatentLicence.id)
    if scopes is not None:
        query = query.where(PatentLicence.scope.in_(list(scopes)))
    return list(db.session.execute(query).scalars())


def open_licence_obstacles(patent: Patent) -> list[str]:
    """Why an open licence cannot be declared (or taken) now, one message each (Patent Law art. 50 and its
    implementing rules): not granted; an exclusive or sole licence in force; pledged without the pledgee's
    consent; annual fees overdue; an ownership dispute or court preservation. Empty: nothing stands in the way."""
    reasons = []
    if patent.legal_status != "granted":
        reasons.append(NOT_GRANTED)
    for licence in licences_in_force(patent, BLOCKING_SCOPES):
        reasons.append(tr(EXCLUSIVE_IN_FORCE, scope=tr(BLOCKING_SCOPES[licence.scope]),
                          licensee=licence.licensee_name, ends_on=licence.ends_on.isoformat()))
    if patent.pledged and not patent.pledgee_consents:
        reasons.append(PLEDGED)
    if patent.annual_fees_overdue:
        reasons.append(FEES_OVERDUE)
    if patent.ownership_disputed:
        reasons.append(DISPUTED)
    return reasons


def require_no_obstacles(patent: Patent) -> None:
    """Refuse a declaration (422) with one message per obstacle."""
    reasons = open_licence_obstacles(patent)
    if reasons:
        raise ValidationFailed("；".join(reasons), errors={"_schema": reasons})


def set_licence_obstacles(actor, patent: Patent, data: dict) -> Patent:
    """The patentee keeps the facts that stand in the way of an open licence: 质押 (and the pledgee's consent),
    年费欠缴, 权属纠纷或保全. A declaration in force stays declared, but nobody can take a licence under it while
    one of them holds (see :func:`marketplace.deals.licensing.take_licence`)."""
    require_patentee(actor, patent)
    values = load_or_raise(_obstacles_input, data)
    if not values["pledged"]:
        values["pledgee_consents"] = False  # consent only means something for a pledged patent
    changed = {key: value for key, value in values.items() if getattr(patent, key) != value}
    for key, value in changed.items():
        setattr(patent, key, value)
    if changed:
        record(actor, "patent.licence_obstacles", patent, changed)
    return patent


def declare_open_licence(actor, patent: Patent, data: dict) -> OpenLicence:
    """Declare (or replace, or re-activate) the patent's open licence terms; refused while anything in
    :func:`open_licence_obstacles` holds."""
    require_patentee(actor, patent)
    require_no_obstacles(patent)
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
    """Withdraw the declaration. Licences already taken under it are untouched (Patent Law art. 50)."""
    require_patentee(actor, patent)
    if patent.open_licence is None or not patent.open_licence.active:
        raise ValidationFailed("该专利没有生效中的开放许可声明")
    patent.open_licence.active = False
    patent.updated_at = utcnow()
    record(actor, "patent.open_licence_withdraw", patent)
