"""The organisation lifecycle (平台认证), declared once.

    pending ──verify (credit code, type, region checked)──▶ verified ──suspend (reason)──▶ suspended
       │  ▲                                                    ▲                              │
       │  └──────────── (rejected ──verify──▶ verified) ───────┘◀──────────restore────────────┘
       └──reject (reason)──▶ rejected
    any but merged ──merge (into another organisation)──▶ merged

A self-registered organisation starts pending; only verified organisations are in the public directory and have
listings published (the listing lifecycle's ``publish`` guard). Only platform admins see these transitions; to
everyone else an organisation's administration does not exist (404).
"""
from __future__ import annotations

from ..accounts.models import OrgStatus
from ..deals.identifiers import is_valid_region
from ..errors import ValidationFailed
from ..permissions import is_platform_admin
from ..taxonomy import ORG_TYPES, REGIONS
from ..timeutil import utcnow
from ..web.messages import N_
from . import Lifecycle, Transition
from .challenges import reason_of

PENDING, VERIFIED, REJECTED, SUSPENDED, MERGED = (OrgStatus.PENDING, OrgStatus.VERIFIED, OrgStatus.REJECTED,
                                                 OrgStatus.SUSPENDED, OrgStatus.MERGED)
ADMINS_ONLY = N_("只有平台管理员可以管理机构认证")

ORG_STATUSES = {
    "pending": ("待认证", "Pending verification"), "verified": ("已认证", "Verified"),
    "rejected": ("未通过认证", "Rejected"), "suspended": ("已暂停", "Suspended"), "merged": ("已合并", "Merged"),
}


def verification_errors(org, credit_code: str | None, org_type: str | None, region: str | None) -> dict:
    """What stands in the way of verifying ``org`` with these values: a valid 统一社会信用代码 (GB 32100, check
    character included; not another organisation's), an organisation type and a GB/T 2260 region."""
    from ..accounts.services import credit_code_errors  # services import the permissions this module uses

    errors: dict[str, list[str]] = {}
    if not credit_code:
        errors["credit_code"] = [N_("认证前请填写统一社会信用代码")]
    elif code_errors := credit_code_errors(credit_code, org):
        errors["credit_code"] = code_errors
    if org_type not in ORG_TYPES:
        errors["org_type"] = [N_("请选择有效的机构类型")]
    if not (region in REGIONS and is_valid_region(region)):
        errors["region"] = [N_("请选择有效的所在地区")]
    return errors


def _verify(actor, org, params: dict) -> None:
    """Check (and take) the credit code, type and region the admin confirmed; ``params`` default to the org's."""
    code = (params.get("credit_code") if params.get("credit_code") is not None else org.credit_code) or ""
    code = code.strip().upper()
    org_type = params.get("org_type") or org.org_type
    region = params.get("region") or org.region
    if errors := verification_errors(org, code, org_type, region):
        raise ValidationFailed(errors=errors)
    org.credit_code, org.org_type, org.region = code, org_type, region
    org.verified_at = utcnow()
    org.status_reason = None
    params.update(credit_code=code, org_type=org_type, region=region)


def _store_reason(actor, org, params: dict) -> None:
    org.status_reason = reason_of(params)


def _restore(actor, org, params: dict) -> None:
    org.status_reason = None


def _merge(actor, org, params: dict) -> None:
    kept = params.get("into")
    if kept is None or kept.id == org.id or kept.status == MERGED:
        raise ValidationFailed(errors={"into": [N_("请选择要保留的另一个机构（不能是本机构或已合并的机构）")]})
    org.merged_into_id = kept.id
    params["into"] = kept.id  # the audit event names it


ORGANIZATION = Lifecycle("organization", ORG_STATUSES, visible=is_platform_admin, transitions=[
    Transition("verify", N_("通过认证"), frozenset({PENDING, REJECTED}), VERIFIED, is_platform_admin, ADMINS_ONLY,
               effect=_verify),
    Transition("reject", N_("不予认证"), frozenset({PENDING}), REJECTED, is_platform_admin, ADMINS_ONLY,
               effect=_store_reason),
    Transition("suspend", N_("暂停"), frozenset({VERIFIED}), SUSPENDED, is_platform_admin, ADMINS_ONLY,
               effect=_store_reason),
    Transition("restore", N_("恢复"), frozenset({SUSPENDED}), VERIFIED, is_platform_admin, ADMINS_ONLY,
               effect=_restore),
    Transition("merge", N_("合并到其他机构"), frozenset({PENDING, VERIFIED, REJECTED, SUSPENDED}), MERGED,
               is_platform_admin, ADMINS_ONLY, effect=_merge),
])
