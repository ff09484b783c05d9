"""The vocabularies of a technology contract as the registration form (技术合同认定登记) writes them: code → (中文, English).

After the 2026 MIIT 《技术合同认定登记管理办法》 and its 《技术合同认定登记规则》 as summarised in ``shared/DOMAIN.md``;
the 性质 codes follow the national form's instructions (the natural-person code 400 is ours: the form lists 个人 last
without a code in the copies we have).
"""
from __future__ import annotations

CONTRACT_TYPES: dict[str, tuple[str, str]] = {
    "development": ("技术开发", "Technology development"),
    "transfer": ("技术转让", "Technology transfer"),
    "licence": ("技术许可", "Technology licence"),
    "consulting": ("技术咨询", "Technical consulting"),
    "service": ("技术服务", "Technical service"),
}
#: contract type → sub-type code → labels
CONTRACT_SUBTYPES: dict[str, dict[str, tuple[str, str]]] = {
    "development": {"commissioned": ("委托开发", "Commissioned development"),
                    "cooperative": ("合作开发", "Cooperative development")},
    "transfer": {"patent": ("专利权转让", "Patent assignment"),
                 "patent_application": ("专利申请权转让", "Patent application right assignment"),
                 "know_how": ("技术秘密转让", "Know-how transfer"),
                 "ic_layout": ("集成电路布图设计专有权转让", "IC layout-design right transfer"),
                 "plant_variety": ("植物新品种权转让", "Plant variety right transfer"),
                 "software": ("计算机软件著作权转让", "Software copyright transfer"),
                 "biomedical_variety": ("生物医药新品种权转让", "Biomedical new variety transfer")},
    "licence": {"patent_exclusive": ("专利实施许可（独占）", "Patent licence (exclusive)"),
                "patent_sole": ("专利实施许可（排他）", "Patent licence (sole)"),
                "patent_ordinary": ("专利实施许可（普通）", "Patent licence (ordinary)"),
                "know_how": ("技术秘密使用许可", "Know-how licence"),
                "other": ("其他技术许可", "Other licence")},
    "consulting": {"general": ("技术咨询", "Technical consulting")},
    "service": {"general": ("一般技术服务", "General technical service"),
                "training": ("技术培训", "Technical training"),
                "intermediary": ("技术中介", "Technology intermediary")},
}
#: every (type, sub-type) pair as one code "type.subtype" → labels "技术许可 / 专利实施许可（普通）"
CONTRACT_KINDS: dict[str, tuple[str, str]] = {
    f"{kind}.{sub}": (f"{CONTRACT_TYPES[kind][0]} / {zh}", f"{CONTRACT_TYPES[kind][1]} / {en}")
    for kind, subs in CONTRACT_SUBTYPES.items() for sub, (zh, en) in subs.items()}

PAYMENT_METHODS: dict[str, tuple[str, str]] = {
    "lump_sum": ("一次总付", "Lump sum"), "instalments": ("分期支付", "Instalments"),
    "royalty": ("提成支付", "Royalty"), "equity": ("作价入股", "Equity contribution"),
}
PLAN_SOURCES: dict[str, tuple[str, str]] = {
    "national": ("国家计划", "National programme"), "ministry": ("部门计划", "Ministry programme"),
    "provincial": ("省级计划", "Provincial programme"), "none": ("计划外", "Outside any programme"),
}
CONTRACT_IP_TYPES: dict[str, tuple[str, str]] = {
    "patent": ("专利", "Patent"), "know_how": ("技术秘密", "Know-how"),
    "software": ("计算机软件著作权", "Software copyright"), "ic_layout": ("集成电路布图设计专有权", "IC layout design"),
    "biomedical_variety": ("生物医药新品种", "Biomedical new variety"), "plant_variety": ("植物新品种", "Plant variety"),
    "none": ("未涉及知识产权", "No IP involved"),
}
#: the 11 national 技术领域 of the registration statistics
CONTRACT_FIELDS: dict[str, tuple[str, str]] = {
    "electronics": ("电子信息", "Electronic information"), "aerospace": ("航空航天", "Aerospace"),
    "manufacturing": ("先进制造", "Advanced manufacturing"),
    "biomedicine": ("生物医药和医疗器械", "Biomedicine and medical devices"),
    "new_materials": ("新材料及其应用", "New materials"), "new_energy": ("新能源与高效节能", "New energy and efficiency"),
    "environment": ("环境保护与资源综合利用", "Environment and resources"), "nuclear": ("核应用", "Nuclear applications"),
    "agriculture": ("农业", "Agriculture"), "transport": ("现代交通", "Modern transport"),
    "urban": ("城市建设与社会发展", "Urban construction and social development"),
}
#: the platform's technical fields → the national category a contract is pre-filled with
FIELD_TO_CONTRACT_FIELD: dict[str, str] = {
    "new_materials": "new_materials", "biomedicine": "biomedicine", "optoelectronics": "electronics",
    "agriculture": "agriculture", "equipment": "manufacturing", "new_energy": "new_energy",
    "environment": "environment", "automotive": "transport", "ai": "electronics", "medical_devices": "biomedicine",
    "chemicals": "new_materials", "electronics": "electronics", "mining": "environment", "civil": "urban",
    "food": "agriculture", "other": "manufacturing",
}
#: 主体性质 (party nature) codes of the registration form
PARTY_NATURES: dict[str, tuple[str, str]] = {
    "011": ("机关法人（中央）", "Government body (central)"), "012": ("机关法人（省级）", "Government body (provincial)"),
    "013": ("机关法人（地市级）", "Government body (prefecture)"), "014": ("机关法人（县级）", "Government body (county)"),
    "021": ("事业法人：科研机构", "Public institution: research institute"),
    "022": ("事业法人：高等院校", "Public institution: university"),
    "023": ("事业法人：医疗卫生", "Public institution: health care"),
    "024": ("事业法人：其他", "Public institution: other"),
    "030": ("社团法人", "Social organisation"),
    "110": ("内资企业：国有企业", "Domestic enterprise: state-owned"),
    "120": ("内资企业：集体企业", "Domestic enterprise: collective"),
    "130": ("内资企业：股份合作企业", "Domestic enterprise: joint-stock cooperative"),
    "140": ("内资企业：联营企业", "Domestic enterprise: joint venture"),
    "150": ("内资企业：有限责任公司", "Domestic enterprise: limited liability company"),
    "160": ("内资企业：股份有限公司", "Domestic enterprise: company limited by shares"),
    "170": ("内资企业：私营企业", "Domestic enterprise: private"),
    "180": ("内资企业：其他企业", "Domestic enterprise: other"),
    "200": ("港澳台投资企业", "Hong Kong, Macao or Taiwan invested enterprise"),
    "300": ("外商投资企业", "Foreign-invested enterprise"),
    "400": ("自然人", "Natural person"),
}
#: the organisation types' default 性质 (the party may correct it on the contract)
ORG_TYPE_NATURES: dict[str, str] = {
    "university": "022", "institute": "021", "enterprise": "150", "broker_agency": "150", "investor": "150",
    "government": "012",
}
ENTERPRISE_SIZES: dict[str, tuple[str, str]] = {
    "large": ("大型", "Large"), "medium": ("中型", "Medium"), "small": ("小型", "Small"), "micro": ("微型", "Micro"),
}
#: yes/no attributes of a party the statistics slice by
PARTY_FLAGS: dict[str, tuple[str, str]] = {
    "tech_transfer_agency": ("技术转移机构", "Technology transfer agency"),
    "rd_institution": ("研发机构", "R&D institution"),
    "converted_institute": ("转制科研院所", "Converted research institute"),
    "high_tech_zone": ("国家高新区内企业", "Enterprise in a national high-tech zone"),
    "listed": ("上市企业", "Listed company"),
}
PARTY_ROLES: dict[str, tuple[str, str]] = {
    "seller": ("卖方（技术供方）", "Seller (technology supplier)"), "buyer": ("买方（技术需方）", "Buyer"),
    "intermediary": ("中介方", "Intermediary"),
}
REGISTRATION_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("待登记", "Awaiting registration"), "registered": ("已登记", "Registered"),
    "refused": ("不予登记", "Registration refused"),
}
REWARD_FORMS: dict[str, tuple[str, str]] = {"cash": ("现金", "Cash"), "equity": ("股权", "Equity")}

OPPORTUNITY_SOURCES: dict[str, tuple[str, str]] = {
    "inquiry": ("洽谈意向", "Inquiry"), "match": ("匹配推荐", "Match recommendation"),
    "licence": ("开放许可", "Open licence"), "challenge": ("揭榜挂帅", "Challenge"), "manual": ("手工录入", "Entered by hand"),
}
INQUIRY_DECLINE_REASONS: dict[str, tuple[str, str]] = {
    "not_available": ("成果已转让或不再对外合作", "No longer available"),
    "terms": ("合作方式或条件不符", "Cooperation mode or terms do not fit"),
    "budget": ("预算与预期差距较大", "Budget too far from expectations"),
    "not_relevant": ("需求与本成果不匹配", "Not a fit for this need"),
    "capacity": ("目前无力承接", "No capacity at present"),
    "other": ("其他原因", "Other"),
}
