"""What each search page offers: its facets (query parameter = document field), their labels and allowed values,
and its sort orders. Shared by the HTML pages, the JSON API and the database fallback."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from .. import taxonomy
from ..challenges.schemas import FUNDING_MODES
from ..workflow.challenges import STAGE_LABELS

YES_NO = {"true": ("是", "Yes"), "false": ("否", "No")}
PRICE_CODES = [code for code, *_ in taxonomy.PRICE_BANDS] + ["negotiable"]


def _title(name: str) -> LazyString:
    """A filter title shared with the list pages (taxonomy.FILTER_TITLES), read in the request's language."""
    return LazyString(taxonomy.filter_title, name)


def _years(value: str) -> bool:
    return value.isdigit() and 1950 <= int(value) <= date.today().year + 1


@dataclass(frozen=True)
class Facet:
    """One filterable, countable document field."""

    field: str
    title: object  # lazy string
    vocabulary: dict | None = None  # code -> (zh, en); None = free values checked by ``valid``
    valid: Callable[[str], bool] | None = None
    label_fn: Callable[[str], str] | None = None

    def accepts(self, value: str) -> bool:
        if self.vocabulary is not None:
            return value in self.vocabulary
        if self.valid is not None:
            return self.valid(value)
        return 0 < len(value) <= 40

    def label(self, value: str) -> str:
        if self.label_fn is not None:
            return self.label_fn(value)
        if self.vocabulary is not None:
            return taxonomy.label(self.vocabulary, value)
        return str(value)


def _price_label(code: str) -> str:
    return taxonomy.price_band_label(code)


PRICE_VOCAB = {code: (code, code) for code in PRICE_CODES}


def _facet_price(name: str, title) -> Facet:
    return Facet(name, title, vocabulary=PRICE_VOCAB, label_fn=_price_label)


@dataclass(frozen=True)
class KindPage:
    """The search page of one kind."""

    kind: str
    slug: str  # URL segment: /search/<slug>; the achievement page is /search
    title: object
    facets: list[Facet]
    sorts: dict[str, tuple[str, object]]  # code -> (engine sort, label)
    default_sort_without_text: str = "newest"
    text_fields: tuple[str, ...] = ("title",)  # database columns for the fallback LIKE search
    extra_params: dict = field(default_factory=dict)

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.facets if f.field == name), None)


RELEVANCE = ("relevance", _l("相关度"))
NEWEST = ("-published_at", _l("最新发布"))

PAGES: dict[str, KindPage] = {
    "achievement": KindPage(
        kind="achievement", slug="", title=_l("科技成果检索"),
        facets=[
            Facet("technical_field", _title("technical_field"), taxonomy.TECHNICAL_FIELDS),
            Facet("trl_band", _title("trl_band"), taxonomy.TRL_BANDS),
            Facet("ip_type", _title("ip_type"), taxonomy.IP_TYPES),
            Facet("transfer_modes", _title("transfer_modes"), taxonomy.TRANSFER_MODES),
            Facet("region", _title("region"), taxonomy.REGIONS),
            Facet("holder_type", _title("holder_type"), taxonomy.ORG_TYPES),
            Facet("year", _l("发布年份"), valid=_years),
            _facet_price("price_band", _title("price_band")),
            Facet("open_licence", _l("含开放许可专利"), YES_NO),
            Facet("high_quality", _l("年度优质成果"), YES_NO),
        ],
        sorts={"relevance": RELEVANCE, "newest": NEWEST, "trl": ("-trl", _l("成熟度高→低")),
               "price_asc": ("price", _l("价格低→高")), "price_desc": ("-price", _l("价格高→低"))},
        text_fields=("title", "summary"),
    ),
    "patent": KindPage(
        kind="patent", slug="patents", title=_l("专利检索"),
        facets=[
            Facet("open_licence", _l("开放许可"), YES_NO),
            Facet("patent_type", _l("专利类型"), taxonomy.PATENT_TYPES),
            Facet("legal_status", _l("法律状态"), taxonomy.LEGAL_STATUSES),
            Facet("ipc", _l("IPC 分类"), valid=lambda v: len(v) == 4 and v.isalnum()),
            Facet("region", _l("所在地区"), taxonomy.REGIONS),
            Facet("holder_type", _l("权利人类型"), taxonomy.ORG_TYPES),
            Facet("year", _l("发布年份"), valid=_years),
        ],
        sorts={"relevance": RELEVANCE, "newest": NEWEST},
        text_fields=("title", "abstract"),
    ),
    "demand": KindPage(
        kind="demand", slug="demands", title=_l("技术需求检索"),
        facets=[
            Facet("industry", _l("所属行业"), taxonomy.INDUSTRIES),
            Facet("technical_field", _l("技术领域"), taxonomy.TECHNICAL_FIELDS),
            Facet("cooperation_modes", _l("合作方式"), taxonomy.TRANSFER_MODES),
            Facet("region", _l("所在地区"), taxonomy.REGIONS),
            _facet_price("budget_band", _l("预算区间")),
            Facet("year", _l("发布年份"), valid=_years),
        ],
        sorts={"relevance": RELEVANCE, "newest": NEWEST, "budget": ("-budget_max", _l("预算高→低")),
               "deadline": ("deadline", _l("截止日期近→远"))},
        text_fields=("title", "problem"),
    ),
    "challenge": KindPage(
        kind="challenge", slug="challenges", title=_l("揭榜挂帅检索"),
        facets=[
            Facet("technical_field", _l("技术领域"), taxonomy.TECHNICAL_FIELDS),
            Facet("region", _l("所在地区"), taxonomy.REGIONS),
            Facet("funding_mode", _l("资助方式"), FUNDING_MODES),
            _facet_price("reward_band", _l("榜额区间")),
            Facet("stage", _l("榜单阶段"), STAGE_LABELS),
        ],
        sorts={"relevance": RELEVANCE, "newest": NEWEST,
               "deadline": ("application_deadline", _l("揭榜截止日期近→远")),
               "reward": ("-reward_amount", _l("榜额高→低"))},
        text_fields=("title", "problem"),
    ),
    "organization": KindPage(
        kind="organization", slug="orgs", title=_l("机构检索"),
        facets=[
            Facet("org_type", _l("机构类型"), taxonomy.ORG_TYPES),
            Facet("region", _l("所在地区"), taxonomy.REGIONS),
        ],
        sorts={"relevance": RELEVANCE},
        default_sort_without_text="relevance",
        text_fields=("name", "description"),
    ),
}

BY_SLUG = {page.slug: page for page in PAGES.values()}
