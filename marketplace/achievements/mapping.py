"""Turning an imported record into the fields :class:`AchievementInput` validates.

Three shapes are accepted:

* the project's own export (the ``AchievementInput`` field names, plus ``patent_numbers`` and ``org``);
* the same with Chinese column headings (``成果名称``, ``摘要`` ...) and Chinese labels for coded values
  (``新材料``, ``转让``, ``吉林省``, ``面议``);
* the CSL literature records (``id``, ``title``, ``abstract``, ``keywords``, ``category``, ``subcategory``): the
  discipline becomes ``门类/学科``, the technical field is derived from it, and an empty title is derived from the
  first sentence of the abstract; a record without an abstract (the titles-only file) uses its title as the summary.
  CSL papers may carry up to 20 keywords; the first 12 (the schema's limit) are kept.
"""
from __future__ import annotations

import re

from ..taxonomy import INDUSTRIES, IP_TYPES, REGIONS, TECHNICAL_FIELDS, TRANSFER_MODES
from .io_formats import LIST_FIELDS, split_list

MAX_DERIVED_TITLE = 60
MAX_KEYWORDS = 12

HEADER_ALIASES = {
    "外部编号": "external_id", "编号": "external_id", "成果编号": "external_id",
    "成果名称": "title", "名称": "title", "标题": "title",
    "摘要": "summary", "成果简介": "summary", "简介": "summary",
    "详细介绍": "description", "详细描述": "description",
    "关键词": "keywords", "技术领域": "technical_field", "学科": "discipline", "学科分类": "discipline",
    "应用行业": "industries", "技术成熟度": "trl", "成熟度": "trl", "知识产权类型": "ip_type",
    "转化方式": "transfer_modes", "价格": "price_amount", "转让价格": "price_amount", "价格（万元）": "price_amount",
    "技术优势": "benefits", "团队": "team", "团队介绍": "team", "地区": "region", "所在地区": "region",
    "联系方式": "contact", "专利号": "patent_numbers", "关联专利": "patent_numbers", "所属机构": "org", "机构": "org",
}

# 学科 (CSL subcategory) → technical field code
DISCIPLINE_FIELDS = {
    "材料科学与工程": "new_materials", "纺织科学与工程": "new_materials",
    "化学/化学工程与技术": "chemicals",
    "光学工程": "optoelectronics",
    "信息与通信工程": "electronics", "电子科学与技术": "electronics",
    "计算机科学与技术": "electronics",  # refined to "ai" by keywords, see below
    "控制科学与工程": "ai",
    "机械工程": "equipment", "兵器科学与技术": "equipment", "航空宇航科学与技术": "equipment",
    "船舶与海洋工程": "equipment", "力学": "equipment", "交通运输工程": "automotive",
    "动力工程及工程热物理": "new_energy", "电气工程": "new_energy", "核科学与技术": "new_energy",
    "环境科学与工程": "environment", "大气科学": "environment", "海洋科学": "environment", "地理学": "environment",
    "冶金工程": "mining", "矿业工程": "mining", "石油与天然气工程": "mining", "地球物理学": "mining",
    "地质学/地质资源与地质工程": "mining",
    "土木工程": "civil", "建筑学": "civil", "水利工程": "civil", "测绘科学与技术": "civil",
    "食品科学与工程": "food",
    "农业工程": "agriculture", "作物学": "agriculture", "园艺学": "agriculture", "农业资源利用": "agriculture",
    "林学/林业工程": "agriculture", "植物保护": "agriculture", "水产": "agriculture",
    "畜牧学/兽医学": "agriculture",
    "药学": "biomedicine", "中医学/中药学": "biomedicine", "基础医学/临床医学": "biomedicine",
    "公共卫生与预防医学": "biomedicine", "口腔医学": "medical_devices", "生物学/生物科学与工程": "biomedicine",
}
CATEGORY_FIELDS = {"农学": "agriculture", "医学": "biomedicine"}
AI_HINTS = re.compile(r"智能|神经网络|深度学习|机器学习|学习算法|识别|分类器|聚类|推荐|自然语言|计算机视觉|强化学习")

SENTENCE_END = re.compile(r"[。！？!?；;]|\.(?!\d)")


def _reverse(vocabulary: dict) -> dict[str, str]:
    reverse = {}
    for code, (zh, en) in vocabulary.items():
        reverse[zh] = code
        reverse[en.lower()] = code
    return reverse


_LABELS = {
    "technical_field": _reverse(TECHNICAL_FIELDS), "industries": _reverse(INDUSTRIES),
    "ip_type": _reverse(IP_TYPES), "transfer_modes": _reverse(TRANSFER_MODES), "region": _reverse(REGIONS),
}
_CODES = {"technical_field": TECHNICAL_FIELDS, "industries": INDUSTRIES, "ip_type": IP_TYPES,
          "transfer_modes": TRANSFER_MODES, "region": REGIONS}


def _code(field: str, value):
    """A coded value given as its code or as its Chinese/English label (unknown values pass through to validation)."""
    if not isinstance(value, str) or value in _CODES[field]:
        return value
    return _LABELS[field].get(value.strip().lower() if value.isascii() else value.strip(), value)


def technical_field_for(category: str | None, subcategory: str | None, text: str = "") -> str:
    """The technical field for a CSL 门类/学科 pair; ``text`` (title and keywords) refines computing into AI."""
    field = DISCIPLINE_FIELDS.get(subcategory or "") or CATEGORY_FIELDS.get(category or "") or "other"
    if subcategory == "计算机科学与技术" and AI_HINTS.search(text):
        return "ai"
    return field


def title_from_abstract(abstract: str, limit: int = MAX_DERIVED_TITLE) -> str:
    """The first sentence of ``abstract``, cut to ``limit`` characters (with an ellipsis when cut)."""
    text = (abstract or "").strip()
    match = SENTENCE_END.search(text)
    sentence = text[:match.start()].strip() if match and match.start() >= 4 else text
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip("，,、：: ") + "…"


def _is_csl(record: dict) -> bool:
    return "abstract" in record or "category" in record or "subcategory" in record


def _from_csl(record: dict) -> dict:
    data = {k: v for k, v in record.items() if k not in ("id", "abstract", "category", "subcategory", "source")}
    data.setdefault("external_id", record.get("id"))
    abstract = (record.get("abstract") or "").strip()
    title = (data.get("title") or "").strip()
    if not title and abstract:
        data["title"] = title = title_from_abstract(abstract)
    data.setdefault("summary", abstract or title or None)
    category, subcategory = record.get("category"), record.get("subcategory")
    if "discipline" not in data and (category or subcategory):
        data["discipline"] = "/".join(part for part in (category, subcategory) if part)
    keywords = split_list(data.get("keywords"))
    data["keywords"] = keywords[:MAX_KEYWORDS]
    if not data.get("technical_field"):
        data["technical_field"] = technical_field_for(category, subcategory,
                                                      (data.get("title") or "") + " ".join(keywords))
    return data


def normalise_record(record: dict) -> dict:
    """Map an imported record onto ``AchievementInput`` field names and codes (validation happens afterwards)."""
    data = {HEADER_ALIASES.get(key, key): value for key, value in record.items()}
    if _is_csl(data):
        data = _from_csl(data)
    for field in LIST_FIELDS:
        if field in data:
            data[field] = split_list(data[field])
    for field in ("technical_field", "ip_type", "region"):
        if field in data:
            data[field] = _code(field, data[field])
    for field in ("industries", "transfer_modes"):
        if field in data:
            data[field] = [_code(field, v) for v in data[field]]
    if isinstance(data.get("price_amount"), str) and data["price_amount"].strip() in ("面议", "negotiable", ""):
        data["price_amount"] = None
    if data.get("external_id") is not None:
        data["external_id"] = str(data["external_id"]).strip() or None
    return data
