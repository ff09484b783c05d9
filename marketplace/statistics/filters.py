"""The filters every statistics figure takes, read once from a request (pages, API, exports) and checked: a bad value
is a 422 naming the parameter, never a 500."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ..deals.vocabularies import CONTRACT_FIELDS
from ..errors import ValidationFailed
from ..taxonomy import REGIONS
from ..web.messages import N_, tr

#: institution types as the statistics group the seller's 主体性质
INSTITUTION_TYPES: dict[str, tuple[str, str]] = {
    "university": ("高等院校", "Universities"), "institute": ("科研机构", "Research institutes"),
    "enterprise": ("企业", "Enterprises"), "other": ("其他", "Other"),
}
SIDES = {"seller": ("输出（按卖方地区）", "Outflow (seller's region)"),
         "buyer": ("吸纳（按买方地区）", "Inflow (buyer's region)")}
FIRST_YEAR, LAST_YEAR = 1990, 2100


@dataclass(frozen=True)
class StatsFilter:
    """Which contracts a figure covers: signed in [year_from, year_to], the region of one side, the national
    技术领域, the seller institution or its type."""

    year_from: int
    year_to: int
    region: str | None = None  # a province code (GB/T 2260, e.g. 220000)
    side: str = "seller"  # the region is the seller's (输出) or the buyer's (吸纳)
    field: str | None = None
    institution_id: int | None = None  # the seller organisation
    institution_type: str | None = None

    @property
    def start(self) -> date:
        return date(self.year_from, 1, 1)

    @property
    def end(self) -> date:  # exclusive
        return date(self.year_to + 1, 1, 1)

    @property
    def years(self) -> list[int]:
        return list(range(self.year_from, self.year_to + 1))

    def with_(self, **changes) -> "StatsFilter":
        return replace(self, **changes)

    def as_args(self) -> dict:
        """The query arguments that give this filter back (links, exports)."""
        args = {"year_from": self.year_from, "year_to": self.year_to}
        for name in ("region", "field", "institution_id", "institution_type"):
            if getattr(self, name) is not None:
                args[name] = getattr(self, name)
        if self.region is not None and self.side != "seller":
            args["side"] = self.side
        return args


def _year(args, name: str, default: int, errors: dict) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        errors[name] = [f"年份应为 {FIRST_YEAR} 到 {LAST_YEAR} 之间的整数"]
        return default
    return int(raw)


def parse(args, *, today: date | None = None) -> StatsFilter:
    """A :class:`StatsFilter` from query arguments (``year`` alone means that one year; default: this year)."""
    today = today or date.today()
    errors: dict[str, list[str]] = {}
    year = _year(args, "year", today.year, errors)
    year_from = _year(args, "year_from", year, errors)
    year_to = _year(args, "year_to", year if args.get("year") else max(year_from, year), errors)
    if year_to < year_from:
        errors["year_to"] = [N_("结束年份不能早于开始年份")]
    elif year_to - year_from > 50:
        errors["year_to"] = ["年份范围不能超过 50 年"]
    region = (args.get("region") or "").strip() or None
    if region is not None and region not in REGIONS:
        errors["region"] = ["无效的地区代码（省级 GB/T 2260 代码，如 220000）"]
    side = (args.get("side") or "seller").strip()
    if side not in SIDES:
        errors["side"] = [N_("side 应为 seller（输出）或 buyer（吸纳）")]
    field = (args.get("field") or "").strip() or None
    if field is not None and field not in CONTRACT_FIELDS:
        errors["field"] = [tr(N_("无效的技术领域：%(code)s"), code=field)]
    raw_institution = (args.get("institution_id") or "").strip()
    institution_id = None
    if raw_institution:
        if not raw_institution.isdigit() or len(raw_institution) > 12:
            errors["institution_id"] = [N_("机构编号应为正整数")]
        else:
            institution_id = int(raw_institution)
    institution_type = (args.get("institution_type") or "").strip() or None
    if institution_type is not None and institution_type not in INSTITUTION_TYPES:
        errors["institution_type"] = [tr(N_("无效的机构类型：%(code)s"), code=institution_type)]
    if errors:
        raise ValidationFailed(errors=errors)
    return StatsFilter(year_from, year_to, region, side, field, institution_id, institution_type)
