"""Fixed vocabularies: codes stored in the database, Chinese and English labels shown to users."""
from __future__ import annotations

from flask_babel import get_locale

# code -> (中文, English)
TECHNICAL_FIELDS: dict[str, tuple[str, str]] = {
    "new_materials": ("新材料", "New materials"),
    "biomedicine": ("生物医药", "Biomedicine"),
    "optoelectronics": ("光电信息", "Optoelectronics & information"),
    "agriculture": ("现代农业", "Modern agriculture"),
    "equipment": ("高端装备", "Advanced equipment"),
    "new_energy": ("新能源", "New energy"),
    "environment": ("节能环保", "Energy saving & environment"),
    "automotive": ("汽车", "Automotive"),
    "ai": ("人工智能", "Artificial intelligence"),
    "medical_devices": ("医疗器械", "Medical devices"),
    "chemicals": ("化工", "Chemicals"),
    "electronics": ("电子信息", "Electronics & IT"),
    "mining": ("矿业与资源", "Mining & resources"),
    "civil": ("土木建筑", "Civil engineering"),
    "food": ("食品", "Food"),
    "other": ("其他", "Other"),
}

INDUSTRIES: dict[str, tuple[str, str]] = {
    "manufacturing": ("制造业", "Manufacturing"),
    "energy": ("能源电力", "Energy & power"),
    "automotive": ("汽车及零部件", "Automotive & parts"),
    "chemical": ("石油化工", "Petrochemicals"),
    "pharma": ("医药健康", "Pharma & health"),
    "agriculture": ("农林牧渔", "Agriculture, forestry & fishery"),
    "food": ("食品加工", "Food processing"),
    "electronics": ("电子信息", "Electronics"),
    "software": ("软件和信息服务", "Software & IT services"),
    "construction": ("建筑建材", "Construction & building materials"),
    "mining": ("采矿冶金", "Mining & metallurgy"),
    "environment": ("环保水务", "Environment & water"),
    "transport": ("交通运输", "Transport"),
    "textile": ("纺织印染", "Textiles & dyeing"),
    "aerospace": ("航空航天", "Aerospace"),
    "medical": ("医疗器械", "Medical devices"),
}

# GB/T 2260 province-level codes
REGIONS: dict[str, tuple[str, str]] = {
    "110000": ("北京市", "Beijing"), "120000": ("天津市", "Tianjin"), "130000": ("河北省", "Hebei"),
    "140000": ("山西省", "Shanxi"), "150000": ("内蒙古自治区", "Inner Mongolia"), "210000": ("辽宁省", "Liaoning"),
    "220000": ("吉林省", "Jilin"), "230000": ("黑龙江省", "Heilongjiang"), "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"), "330000": ("浙江省", "Zhejiang"), "340000": ("安徽省", "Anhui"),
    "350000": ("福建省", "Fujian"), "360000": ("江西省", "Jiangxi"), "370000": ("山东省", "Shandong"),
    "410000": ("河南省", "Henan"), "420000": ("湖北省", "Hubei"), "430000": ("湖南省", "Hunan"),
    "440000": ("广东省", "Guangdong"), "450000": ("广西壮族自治区", "Guangxi"), "460000": ("海南省", "Hainan"),
    "500000": ("重庆市", "Chongqing"), "510000": ("四川省", "Sichuan"), "520000": ("贵州省", "Guizhou"),
    "530000": ("云南省", "Yunnan"), "540000": ("西藏自治区", "Tibet"), "610000": ("陕西省", "Shaanxi"),
    "620000": ("甘肃省", "Gansu"), "630000": ("青海省", "Qinghai"), "640000": ("宁夏回族自治区", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "Xinjiang"),
}

# GB/T 22900-2022 technology readiness levels
TRL_LEVELS: dict[int, tuple[str, str]] = {
    1: ("发现基本原理", "Basic principles observed"),
    2: ("形成技术概念或应用方案", "Technology concept formulated"),
    3: ("关键功能和特性的实验室验证", "Proof of concept in laboratory"),
    4: ("实验室原理样机", "Laboratory prototype"),
    5: ("相关环境中的部件验证", "Component validated in relevant environment"),
    6: ("相关环境中的系统样机演示", "System prototype demonstrated"),
    7: ("实际环境中的工程样机验证", "Engineering prototype in operational environment"),
    8: ("定型与批量试生产", "Qualified for pilot production"),
    9: ("规模化生产与应用", "Proven in large-scale production"),
}

# TRL bands: the one filter over TRL of the achievement list, the search page, the API and saved searches
TRL_BANDS: dict[str, tuple[str, str]] = {
    "1-3": ("TRL 1–3 研究阶段", "TRL 1–3 research"),
    "4-6": ("TRL 4–6 中试阶段", "TRL 4–6 pilot"),
    "7-9": ("TRL 7–9 产业化阶段", "TRL 7–9 industrial"),
}
TRL_BAND_RANGES: dict[str, tuple[int, int]] = {"1-3": (1, 3), "4-6": (4, 6), "7-9": (7, 9)}

IP_TYPES: dict[str, tuple[str, str]] = {
    "invention_patent": ("发明专利", "Invention patent"),
    "utility_model": ("实用新型", "Utility model"),
    "design": ("外观设计", "Design"),
    "software_copyright": ("软件著作权", "Software copyright"),
    "plant_variety": ("植物新品种", "Plant variety"),
    "know_how": ("技术秘密", "Know-how"),
}

TRANSFER_MODES: dict[str, tuple[str, str]] = {
    "assignment": ("转让", "Assignment"),
    "licence": ("许可", "Licence"),
    "equity": ("作价投资", "Equity investment"),
    "joint_development": ("合作开发", "Joint development"),
    "service": ("技术服务", "Technical service"),
}

ORG_TYPES: dict[str, tuple[str, str]] = {
    "university": ("高校", "University"),
    "institute": ("科研院所", "Research institute"),
    "enterprise": ("企业", "Enterprise"),
    "broker_agency": ("技术转移机构", "Technology transfer agency"),
    "investor": ("投资机构", "Investor"),
    "government": ("政府部门", "Government"),
}

LEGAL_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("审查中", "Pending"),
    "granted": ("有效", "Granted"),
    "expired": ("已失效", "Expired"),
    "invalidated": ("已无效", "Invalidated"),
}

PATENT_TYPES = {k: IP_TYPES[k] for k in ("invention_patent", "utility_model", "design")}

LISTING_STATUSES: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "Draft"),
    "submitted": ("待审核", "Under review"),
    "published": ("已发布", "Published"),
    "rejected": ("已退回", "Rejected"),
    "archived": ("已归档", "Archived"),
    "closed": ("已关闭", "Closed"),
}

# The fields of listings as users read them (pending revisions, change lists): field → (中文, English)
LISTING_FIELDS: dict[str, tuple[str, str]] = {
    "external_id": ("外部编号", "External id"), "title": ("名称", "Title"), "summary": ("简介", "Summary"),
    "description": ("详细介绍", "Description"), "keywords": ("关键词", "Keywords"),
    "technical_field": ("技术领域", "Technical field"), "discipline": ("学科", "Discipline"),
    "industries": ("应用行业", "Industries"), "industry": ("所属行业", "Industry"), "trl": ("技术成熟度", "TRL"),
    "ip_type": ("知识产权类型", "IP type"), "transfer_modes": ("转化方式", "Transfer modes"),
    "price_amount": ("参考价格（万元）", "Asking price (10k CNY)"), "benefits": ("技术优势与效益", "Benefits"),
    "team": ("团队", "Team"), "region": ("地区", "Region"), "contact": ("联系方式", "Contact"),
    "patent_ids": ("关联专利", "Linked patents"), "number": ("专利号", "Patent number"),
    "abstract": ("摘要", "Abstract"), "patent_type": ("专利类型", "Patent type"), "ipc_codes": ("IPC 分类号", "IPC codes"),
    "applicant": ("申请人", "Applicant"), "legal_status": ("法律状态", "Legal status"),
    "filing_date": ("申请日", "Filing date"), "grant_date": ("授权日", "Grant date"),
    "expiry_date": ("到期日", "Expiry date"), "problem": ("需求描述", "Problem"), "indicators": ("技术指标", "Indicators"),
    "budget_min": ("预算下限（万元）", "Budget from (10k CNY)"), "budget_max": ("预算上限（万元）", "Budget to (10k CNY)"),
    "deadline": ("截止日期", "Deadline"), "cooperation_modes": ("合作方式", "Cooperation modes"),
    "trl_min": ("最低技术成熟度", "Lowest TRL"),
}
# Fields whose values are vocabulary codes, and their vocabularies
FIELD_VOCABULARIES: dict[str, dict] = {
    "technical_field": TECHNICAL_FIELDS, "industries": INDUSTRIES, "industry": INDUSTRIES, "region": REGIONS,
    "ip_type": IP_TYPES, "transfer_modes": TRANSFER_MODES, "cooperation_modes": TRANSFER_MODES,
    "patent_type": IP_TYPES, "legal_status": LEGAL_STATUSES,
}

# The titles of the listing filters, the same on the list pages (/achievements …) and the search pages (/search …):
# filter → (中文, English); shown with filter_title()
FILTER_TITLES: dict[str, tuple[str, str]] = {
    "technical_field": ("技术领域", "Technical field"),
    "trl_band": ("技术成熟度", "Technology readiness"),
    "ip_type": ("知识产权类型", "IP type"),
    "transfer_modes": ("转化方式", "Transfer mode"),
    "region": ("所在地区", "Region"),
    "holder_type": ("持有方类型", "Holder type"),
    "price_band": ("价格区间", "Price range"),
}

# search engines (engine.name) as admins read them
SEARCH_ENGINES: dict[str, tuple[str, str]] = {
    "embedded": ("内置搜索引擎（tantivy，本机索引）", "Built-in engine (tantivy, local index)"),
    "opensearch": ("OpenSearch 集群", "OpenSearch cluster"),
    "elasticsearch": ("Elasticsearch 集群", "Elasticsearch cluster"),
}

MEMBER_ROLES = {"member": ("成员", "Member"), "org_admin": ("机构管理员", "Organisation admin")}
PLATFORM_ROLES = {"broker": ("技术经纪人", "Broker"), "admin": ("平台管理员", "Administrator")}

# price bands in 万元 (10k CNY)
PRICE_BANDS: list[tuple[str, float | None, float | None, str, str]] = [
    ("lt10", None, 10, "10万元以下", "< ¥100k"),
    ("10-50", 10, 50, "10–50万元", "¥100k–500k"),
    ("50-200", 50, 200, "50–200万元", "¥500k–2M"),
    ("200-1000", 200, 1000, "200–1000万元", "¥2M–10M"),
    ("gte1000", 1000, None, "1000万元以上", "≥ ¥10M"),
]


def price_band(amount: float | None) -> str:
    if amount is None:
        return "negotiable"
    for code, low, high, *_ in PRICE_BANDS:
        if (low is None or amount >= low) and (high is None or amount < high):
            return code
    return "negotiable"


def trl_band(trl: int | None) -> str | None:
    if trl is None:
        return None
    return next((band for band, (low, high) in TRL_BAND_RANGES.items() if low <= trl <= high), None)


def _english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def label(vocabulary: dict, code) -> str:
    """The label of ``code`` in the current UI language (the code itself when unknown)."""
    entry = vocabulary.get(code)
    if entry is None:
        return "" if code is None else str(code)
    return entry[1] if _english() else entry[0]


def filter_title(name: str) -> str:
    """The title of a listing filter (:data:`FILTER_TITLES`) in the current UI language."""
    return label(FILTER_TITLES, name)


def choices(vocabulary: dict) -> list[tuple[str, str]]:
    return [(code, label(vocabulary, code)) for code in vocabulary]


def price_band_label(code: str) -> str:
    if code == "negotiable":
        return "Negotiable" if _english() else "面议"
    for band, _low, _high, zh, en in PRICE_BANDS:
        if band == code:
            return en if _english() else zh
    return code


ZH_LABEL_TO_FIELD = {zh: code for code, (zh, _en) in TECHNICAL_FIELDS.items()}


def field_text(name: str, value, separator: str = "、") -> str:
    """A listing field's value as users read it: vocabulary codes as labels, lists joined, nothing as empty."""
    vocabulary = FIELD_VOCABULARIES.get(name)
    values = value if isinstance(value, list) else [value]
    shown = [label(vocabulary, item) if vocabulary else str(item) for item in values if item not in (None, "")]
    return separator.join(shown)
