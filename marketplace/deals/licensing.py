"""Patent licences: taking an open licence (专利开放许可) in one step, recording licences granted outside the
platform, ending a licence, and who sees which licences.

Taking a licence (:func:`take_licence`) — Patent Law art. 51: a licensee obtains the licence by written notice to the
patentee and payment on the announced terms. The licensee's confirmation on the platform *is* that written notice
(``terms_confirmed_at``). One step creates:

* a :class:`PatentLicence` (普通许可, ``via_open_licence``, the announced fee terms copied, start, term, end);
* its 技术许可 contract through :func:`marketplace.deals.services.record_deal` — sub-type 专利实施许可（普通）, IP type
  专利, the patentee's organisation as seller and the licensee's as buyer (pre-filled by ``party_from_org``),
  linked to the patent and to its published achievements;
* a pipeline opportunity (source ``licence``) already at 签约 with the contract;
* notifications (in-app and e-mail) to the patentee's members, and audit events.

Rules of the term: it starts today or later (within a year); it lasts whole years, at least 1, at most the declared
term, and ends no later than the patent's expiry date when that is known. The default is the longest allowed.

Amounts of the contract (万元, exact): with an announced annual fee, 成交额 = 技术交易额 = annual fee × years, paid
一次总付 for a one-year licence and 分期支付 (yearly) otherwise; without one (a royalty or entry-fee-plus-royalty
declaration the platform cannot put a figure on) the amounts are 0 and the payment method 提成支付 — the broker
corrects the figures when the contract is registered.

技术领域 of the contract: the field of the patent's first published linked achievement (mapped by
``FIELD_TO_CONTRACT_FIELD``), else the patent's first IPC code (:func:`ipc_contract_field`).

统一社会信用代码: the registration form needs both parties' codes. A licensee organisation without one is asked for
it on the confirmation page (``credit_code``, checked, then kept on the organisation: only a missing code is filled
in, an existing one is never overwritten). A patentee organisation without one cannot be licensed online: the take
is refused (409) with a message saying the patentee must complete its organisation profile; the patentee fills it
in on its patent's licence page.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import false, or_
from sqlalchemy.orm import joinedload

from ..accounts.models import Organization
from ..accounts.services import CREDIT_CODE_TAKEN, find_organization_by_credit_code
from ..alerts.messages import Message
from ..alerts.services import notify_members
from ..audit.services import record as audit
from ..errors import Conflict, NotFound, PermissionDenied, StateConflict, ValidationFailed
from ..extensions import db
from ..listings import PUBLISHED
from ..patents.models import Patent
from ..patents.services import BLOCKING_SCOPES, licences_in_force, open_licence_obstacles, require_patentee
from ..permissions import can_review, can_see_licence, can_see_listing, is_signed_in
from ..timeutil import utcnow
from ..validation import load_or_raise
from ..web.messages import N_, tr
from ..workflow.deals import LICENCE
from .identifiers import is_valid_credit_code
from .licence_schemas import RecordLicenceInput, TakeLicenceInput
from .models import LicenceStatus, PatentLicence
from .opportunities import open_opportunity
from .services import party_from_org, record_deal
from .vocabularies import FIELD_TO_CONTRACT_FIELD

MAX_START_DELAY = 365  # days: a licence starts within a year of being taken

NO_ORG = N_("请先加入一个机构再取得许可（许可由机构取得）")
OWN_PATENT = N_("不能取得本机构专利的许可")
NOT_PUBLISHED = N_("只有已发布的专利可以取得许可")
NO_OPEN_LICENCE = N_("该专利没有生效中的开放许可声明，不能在线取得许可；可以向专利权人发起洽谈")
SUSPENDED = N_("该专利目前不能依开放许可取得许可：%(reasons)s")
PATENTEE_NO_CODE = N_("专利权人「%(name)s」尚未在机构资料中填写统一社会信用代码（技术合同登记需要），暂不能在线取得许可。"
                      "请联系专利权人完善机构资料后再办理")
ALREADY = N_("本机构已取得该专利的许可（许可编号 %(id)s，有效期至 %(ends_on)s），无需重复办理：/licences/%(id)s")
UNCONFIRMED = N_("请确认已阅读并接受许可使用费条件，并同意以此作为向专利权人发出的书面通知（专利法第五十一条）")
TERMS_CHANGED = N_("专利权人已修改开放许可条件，请重新阅读并确认新的条件")
START_PAST = N_("开始日期不能早于今天")
START_LATE = f"开始日期应在 {MAX_START_DELAY} 天之内"  # in the catalogue as 开始日期应在 %(n0)s 天之内
BEYOND_DECLARED = N_("许可期限不能超过开放许可声明的 %(n)s 年")
BEYOND_EXPIRY = N_("许可期限不能超过专利到期日 %(expiry)s（自开始日期起最多 %(n)s 年）")
TOO_SHORT = N_("专利将于 %(expiry)s 到期，自开始日期起剩余保护期不足 1 年，不能取得许可")
CODE_NEEDED = N_("请填写本机构的统一社会信用代码（技术合同登记需要，将保存到机构资料）")
# what the patentee hears when a licence is taken, and the other side when one ends
LICENCE_TAKEN = N_("「%(licensee)s」已依开放许可取得专利「%(patent)s」的实施许可")
LICENCE_TAKEN_TERMS = N_("许可期限：%(starts_on)s 至 %(ends_on)s（%(years)s 年）\n许可使用费：%(fee_terms)s\n"
                         "被许可人已确认接受声明的许可条件，此确认即向专利权人发出的书面通知（专利法第五十一条）。")
LICENCE_ENDED = N_("专利「%(patent)s」对「%(licensee)s」的实施许可已终止")
CODE_INVALID = "统一社会信用代码无效：应为 18 位，且最后一位校验码正确"  # in the catalogue with %(n0)s
DURING_OPEN_LICENCE = N_("该专利的开放许可声明有效，声明期间不能授予独占或排他许可（专利法第五十一条）；"
                         "如需授予，请先撤回开放许可声明")
BLOCKED_BY = N_("该专利有生效中的%(scope)s（被许可人：%(licensee)s，至 %(ends_on)s），期间不能再授予其他许可")
ENDS_PASSED = N_("该许可已期满，只需登记仍在有效期内的许可")
BEYOND_PATENT_EXPIRY = N_("许可期限不能超过专利到期日 %(expiry)s")

#: IPC section → the national 技术领域 of the contract (the section's main subject)
IPC_SECTIONS = {
    "A": "biomedicine",  # 人类生活必需（医学、卫生为主；农业、食品见下）
    "B": "manufacturing",  # 作业、运输
    "C": "new_materials",  # 化学、冶金
    "D": "new_materials",  # 纺织、造纸
    "E": "urban",  # 固定建筑物
    "F": "manufacturing",  # 机械工程、照明、加热、武器、爆破
    "G": "electronics",  # 物理（计算、测量、信息存储）
    "H": "electronics",  # 电学
}
#: IPC classes (3 characters) and subclasses (4) whose field differs from their section's; the longest match wins
IPC_CLASSES = {
    "A01": "agriculture", "A21": "agriculture", "A22": "agriculture", "A23": "agriculture",  # 农业、食品
    "B09": "environment", "B60": "transport", "B61": "transport", "B62": "transport", "B63": "transport",
    "B64": "aerospace", "C02": "environment", "C05": "agriculture", "C12": "biomedicine", "E21": "environment",
    "F03D": "new_energy", "F24S": "new_energy", "G21": "nuclear", "H01M": "new_energy", "H02S": "new_energy",
    "B01D": "environment", "C07K": "biomedicine",
}


def ipc_contract_field(code: str | None) -> str | None:
    """The contract's 技术领域 for an IPC code such as ``H01M 4/36``: the subclass or class exceptions in
    :data:`IPC_CLASSES` first, else the section's field in :data:`IPC_SECTIONS`; None when unreadable."""
    compact = (code or "").replace(" ", "").upper()
    if not compact:
        return None
    for length in (4, 3):
        if compact[:length] in IPC_CLASSES:
            return IPC_CLASSES[compact[:length]]
    return IPC_SECTIONS.get(compact[0])


def contract_field(patent: Patent) -> str:
    """The contract's 技术领域: the first published linked achievement's field, else the first readable IPC code's,
    else 先进制造 (a patent with neither)."""
    for achievement in linked_achievements(patent):
        mapped = FIELD_TO_CONTRACT_FIELD.get(achievement.technical_field)
        if mapped:
            return mapped
    for code in patent.ipc_codes or []:
        mapped = ipc_contract_field(code)
        if mapped:
            return mapped
    return "manufacturing"


def linked_achievements(patent: Patent) -> list:
    return [achievement for achievement in patent.achievements if achievement.status == PUBLISHED]


# -- the term ---------------------------------------------------------------------------------------------------------

def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def end_of_term(starts_on: date, years: int) -> date:
    """The last day of a licence of ``years`` whole years from ``starts_on``."""
    return add_years(starts_on, years) - timedelta(days=1)


def longest_term(patent: Patent, starts_on: date) -> int:
    """The most whole years a licence from ``starts_on`` may run: the declared term, and not past the patent's
    expiry date when known (0: less than a year of protection left)."""
    years = patent.open_licence.term_years
    if patent.expiry_date is not None:
        while years > 0 and end_of_term(starts_on, years) > patent.expiry_date:
            years -= 1
    return years


def terms_fingerprint(patent: Patent) -> str:
    """A short digest of the announced terms: the confirmation page sends it back, so a change in between is seen."""
    declaration = patent.open_licence
    text = "|".join(str(value) for value in (declaration.fee_terms, declaration.annual_fee, declaration.term_years,
                                             declaration.scope, declaration.declared_at))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- taking an open licence -------------------------------------------------------------------------------------------

def require_takeable(actor, patent: Patent) -> None:
    """Whether ``actor``'s organisation may take a licence under the patent's open licence now: 404 when the
    patent is not visible, 403 without an organisation or for the patentee itself, 409 when there is no declaration
    in force, something stands in its way, the patentee lacks a credit code, or the organisation already holds a
    licence in force (the message names it)."""
    if not can_see_listing(actor, patent):
        raise NotFound()
    if not is_signed_in(actor) or getattr(actor, "org_id", None) is None:
        raise PermissionDenied(NO_ORG)
    if actor.org_id == patent.org_id:
        raise PermissionDenied(OWN_PATENT)
    if patent.status != PUBLISHED:
        raise StateConflict(NOT_PUBLISHED)
    if not patent.has_open_licence:
        raise StateConflict(NO_OPEN_LICENCE)
    reasons = open_licence_obstacles(patent)
    if reasons:
        raise StateConflict(tr(SUSPENDED, reasons=tr(N_("；")).join(tr(reason) for reason in reasons)))
    if not patent.organization.credit_code:
        raise StateConflict(tr(PATENTEE_NO_CODE, name=patent.organization.name))
    held = held_licence(actor.org_id, patent)
    if held is not None:
        raise Conflict(tr(ALREADY, id=held.id, ends_on=held.ends_on.isoformat()))


def held_licence(org_id: int | None, patent: Patent) -> PatentLicence | None:
    """The licence in force (or about to start) that organisation ``org_id`` holds under ``patent``."""
    if org_id is None:
        return None
    return next((licence for licence in licences_in_force(patent) if licence.licensee_org_id == org_id), None)


def take_offer(actor, patent: Patent) -> dict:
    """What the confirmation page shows (after :func:`require_takeable`): the announced terms, the licensee, the
    default start and term, the longest term, whether the licensee's credit code is needed, and the terms'
    fingerprint."""
    require_takeable(actor, patent)
    today = date.today()
    longest = longest_term(patent, today)
    return {"declaration": patent.open_licence, "licensee": actor.organization, "starts_on": today,
            "term_years": longest, "longest": longest, "ends_on": end_of_term(today, longest) if longest else None,
            "needs_credit_code": not actor.organization.credit_code, "terms": terms_fingerprint(patent),
            "contract_field": contract_field(patent)}


def _term(patent: Patent, values: dict) -> tuple[date, int, date]:
    today = date.today()
    starts_on = values.get("starts_on") or today
    if starts_on < today:
        raise ValidationFailed(errors={"starts_on": [START_PAST]})
    if starts_on > today + timedelta(days=MAX_START_DELAY):
        raise ValidationFailed(errors={"starts_on": [START_LATE]})
    longest = longest_term(patent, starts_on)
    if longest < 1:
        raise ValidationFailed(errors={"term_years": [tr(TOO_SHORT, expiry=patent.expiry_date.isoformat())]})
    years = values.get("term_years") or longest
    declared = patent.open_licence.term_years
    if years > declared:
        raise ValidationFailed(errors={"term_years": [tr(BEYOND_DECLARED, n=declared)]})
    if years > longest:
        raise ValidationFailed(errors={"term_years": [tr(BEYOND_EXPIRY, expiry=patent.expiry_date.isoformat(),
                                                                      n=longest)]})
    return starts_on, years, end_of_term(starts_on, years)


def complete_credit_code(actor, org: Organization, code: str | None, field: str = "credit_code") -> None:
    """Fill in ``org``'s missing 统一社会信用代码 (checked; unique among organisations; audited). An organisation
    that has one keeps it: this never overwrites."""
    if org.credit_code:
        return
    code = (code or "").strip().upper()
    if not code:
        raise ValidationFailed(errors={field: [CODE_NEEDED]})
    if not is_valid_credit_code(code):
        raise ValidationFailed(errors={field: [CODE_INVALID]})
    other = find_organization_by_credit_code(code)
    if other is not None and other.id != org.id:
        raise ValidationFailed(errors={field: [CREDIT_CODE_TAKEN]})
    org.credit_code = code
    audit(actor, "organization.credit_code", org, {"credit_code": code})


def contract_amounts(annual_fee, years: int) -> tuple[Decimal, str]:
    """(成交额 in 万元, payment method) of a licence: see the module docstring."""
    if annual_fee is None:
        return Decimal("0"), "royalty"
    total = (Decimal(str(annual_fee)) * years).quantize(Decimal("0.0001"))
    return total, "lump_sum" if years == 1 else "instalments"


def take_licence(actor, patent: Patent, data: dict) -> PatentLicence:
    """取得许可 in one step (see the module docstring): check, create the licence, its 技术许可 contract and the
    opportunity, notify the patentee, audit. Flushes, does not commit."""
    require_takeable(actor, patent)
    values = load_or_raise(TakeLicenceInput(), data or {})
    if values.get("terms") and values["terms"] != terms_fingerprint(patent):
        raise Conflict(TERMS_CHANGED)
    starts_on, years, ends_on = _term(patent, values)
    if not values.get("confirm"):
        raise ValidationFailed(errors={"confirm": [UNCONFIRMED]})
    licensee, patentee = actor.organization, patent.organization
    complete_credit_code(actor, licensee, values.get("credit_code"))
    declaration = patent.open_licence
    annual_fee = Decimal(str(declaration.annual_fee)) if declaration.annual_fee is not None else None
    total, method = contract_amounts(annual_fee, years)
    achievements = linked_achievements(patent)
    deal = record_deal(actor, {
        "name": f"{patent.title}专利实施许可合同（开放许可）"[:200],
        "contract_type": "licence", "contract_subtype": "patent_ordinary",
        "total_amount": str(total), "technical_amount": str(total), "payment_method": method,
        "signed_on": date.today().isoformat(), "valid_from": starts_on.isoformat(), "valid_to": ends_on.isoformat(),
        "plan_source": "none", "ip_type": "patent", "technical_field": contract_field(patent),
        "notes": f"依专利开放许可取得（专利号 {patent.number}）。许可使用费：{declaration.fee_terms}"[:4000],
        "parties": [party_from_org(patentee, "seller"), party_from_org(licensee, "buyer")],
    }, authorised=True, patents=[patent], achievements=achievements)
    licence = PatentLicence(
        patent=patent, licensee_org_id=licensee.id, licensee_name=licensee.name, licensee_id=actor.id,
        scope="ordinary", via_open_licence=True, fee_terms=declaration.fee_terms, annual_fee=annual_fee,
        starts_on=starts_on, term_years=years, ends_on=ends_on, terms_confirmed_at=utcnow(), deal=deal)
    db.session.add(licence)
    db.session.flush()
    audit(actor, "patent_licence.take", licence, {"patent_id": patent.id, "deal_id": deal.id,
                                                  "starts_on": starts_on.isoformat(), "term_years": years})
    open_opportunity(actor, source="licence", title=f"开放许可：{patent.title} · {licensee.name}"[:200],
                     patent=patent, achievement=achievements[0] if achievements else None, seller_org=patentee,
                     buyer_org=licensee, deal=deal, expected_amount=total)
    notify_members([patentee.id], Message(LICENCE_TAKEN, licensee=licensee.name, patent=patent.title),
                   body=Message(LICENCE_TAKEN_TERMS, starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(),
                                years=years, fee_terms=declaration.fee_terms),
                   link=f"/licences/{licence.id}", subject=("patent_licence", licence.id))
    return licence


# -- licences granted outside the platform ----------------------------------------------------------------------------

def record_licence(actor, patent: Patent, data: dict) -> PatentLicence:
    """The patentee records a licence it granted by contract outside the platform (普通, 排他 or 独占), so the
    declaration rules see it. Refused: 独占/排他 while an open licence is declared; any licence while an 独占 or
    排他 licence is in force; a licence already over."""
    require_patentee(actor, patent)
    values = load_or_raise(RecordLicenceInput(), data or {})
    if values["scope"] in BLOCKING_SCOPES and patent.has_open_licence:
        raise ValidationFailed(errors={"scope": [DURING_OPEN_LICENCE]})
    for blocking in licences_in_force(patent, BLOCKING_SCOPES):
        raise ValidationFailed(errors={"scope": [tr(
            BLOCKED_BY, scope=tr(BLOCKING_SCOPES[blocking.scope]), licensee=blocking.licensee_name,
            ends_on=blocking.ends_on.isoformat())]})
    ends_on = end_of_term(values["starts_on"], values["term_years"])
    if ends_on < date.today():
        raise ValidationFailed(errors={"term_years": [ENDS_PASSED]})
    if patent.expiry_date is not None and ends_on > patent.expiry_date:
        raise ValidationFailed(errors={"term_years": [tr(BEYOND_PATENT_EXPIRY, expiry=patent.expiry_date.isoformat())]})
    licence = PatentLicence(
        patent=patent, licensee_name=values["licensee_name"], scope=values["scope"], via_open_licence=False,
        fee_terms=values.get("fee_terms") or "", annual_fee=values.get("annual_fee"), starts_on=values["starts_on"],
        term_years=values["term_years"], ends_on=ends_on)
    db.session.add(licence)
    db.session.flush()
    audit(actor, "patent_licence.record", licence, {"patent_id": patent.id, "scope": licence.scope})
    return licence


# -- reading and ending -----------------------------------------------------------------------------------------------

def get_licence(actor, licence_id: int) -> PatentLicence:
    """The licence, for the licensee, the patentee and staff; 404 for anyone else (as for a missing id)."""
    licence = db.session.get(PatentLicence, licence_id)
    if licence is None or not can_see_licence(actor, licence):
        raise NotFound()
    return licence


def visible_licences(actor):
    """A select of the licences ``actor`` sees, newest first: staff all; others those their organisation holds
    or granted."""
    query = db.select(PatentLicence).options(joinedload(PatentLicence.patent)).order_by(PatentLicence.id.desc())
    if can_review(actor):
        return query
    org_id = getattr(actor, "org_id", None)
    if org_id is None:
        return query.where(false())
    granted = db.select(Patent.id).where(Patent.org_id == org_id)
    return query.where(or_(PatentLicence.licensee_org_id == org_id, PatentLicence.patent_id.in_(granted)))


def licences_of(patent: Patent) -> list[PatentLicence]:
    """Every licence under ``patent``, newest first (the patentee's licence page)."""
    return list(db.session.execute(db.select(PatentLicence).where(PatentLicence.patent_id == patent.id)
                                   .order_by(PatentLicence.id.desc())).scalars())


def end_licence(actor, licence: PatentLicence) -> PatentLicence:
    """终止许可 (the patentee or staff): the declared transition; the other side is told."""
    LICENCE.apply(actor, licence, "end")
    others = [org_id for org_id in (licence.licensee_org_id, licence.patent.org_id)
              if org_id is not None and org_id != getattr(actor, "org_id", None)]
    notify_members(others, Message(LICENCE_ENDED, patent=licence.patent.title, licensee=licence.licensee_name),
                   link=f"/licences/{licence.id}", subject=("patent_licence", licence.id))
    return licence


def is_in_force(licence: PatentLicence, on: date | None = None) -> bool:
    return licence.status == LicenceStatus.ACTIVE and licence.ends_on >= (on or date.today())
