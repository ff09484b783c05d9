"""Words of the demo's inquiries and technology contracts: message templates, contract names, off-platform parties
(fictional companies, institutes, offices and hospitals across the provinces), and the spreads the statistics show.

Spreads follow the shape of the national registration statistics (技术服务 and 技术开发 the most contracts; 电子信息 and
先进制造 the largest fields; most contracts small, a long tail above ¥100万 and a few above ¥1亿)."""
from __future__ import annotations

#: contract type → weight (count share); 技术中介 contracts are added on top, for brokered deals
TYPE_WEIGHTS = {"service": 36, "development": 32, "consulting": 11, "transfer": 12, "licence": 9}
SUBTYPE_WEIGHTS = {
    "development": {"commissioned": 76, "cooperative": 24},
    "transfer": {"patent": 46, "know_how": 20, "patent_application": 10, "software": 14, "ic_layout": 3,
                 "plant_variety": 4, "biomedical_variety": 3},
    "licence": {"patent_ordinary": 42, "patent_exclusive": 20, "patent_sole": 14, "know_how": 18, "other": 6},
    "consulting": {"general": 1},
    "service": {"general": 86, "training": 14},
}
#: the 11 national 技术领域 → weight
FIELD_WEIGHTS = {"electronics": 27, "manufacturing": 17, "urban": 9, "new_energy": 9, "biomedicine": 9,
                 "transport": 7, "environment": 7, "new_materials": 8, "agriculture": 4, "aerospace": 2.5,
                 "nuclear": 1}
#: median amount (万元) of a contract by type, and the spread (sigma of the log)
AMOUNT_MEDIANS = {"service": 11, "development": 28, "consulting": 7, "transfer": 45, "licence": 35}
AMOUNT_SIGMA = 1.15
#: 技术交易额 / 成交额 by type (low, high)
TECHNICAL_SHARE = {"service": (0.6, 1.0), "development": (0.7, 1.0), "consulting": (0.8, 1.0),
                   "transfer": (0.92, 1.0), "licence": (0.95, 1.0)}
PLAN_SOURCE_WEIGHTS = {"none": 82, "provincial": 9, "national": 5, "ministry": 4}

#: field → topics when the contract names no platform achievement
TOPICS = {
    "electronics": ["工业互联网平台", "边缘计算网关", "机器视觉缺陷检测系统", "嵌入式控制软件", "5G行业专网应用",
                    "企业数据中台", "功率半导体器件封装", "智能传感器芯片", "工业控制系统信息安全", "智能客服大模型应用"],
    "manufacturing": ["数控机床精度提升", "智能产线改造", "焊接机器人工艺", "精密减速器", "液压系统节能优化",
                      "大型铸锻件工艺", "工业机器人离线编程", "智能仓储物流系统", "压力容器数字化设计"],
    "aerospace": ["无人机飞控系统", "航空复合材料构件", "卫星遥感数据处理", "航空发动机叶片检测"],
    "biomedicine": ["创新药临床前药效评价", "中药配方颗粒质量标准", "体外诊断试剂", "医用导管涂层", "生物制品纯化工艺",
                    "人参皂苷提取", "医学影像辅助诊断", "康复器械结构优化"],
    "new_materials": ["高性能碳纤维复合材料", "特种工程塑料改性", "铝合金轻量化部件", "功能涂层材料", "稀土发光材料",
                      "高温合金构件", "石墨烯导热膜"],
    "new_energy": ["储能电站能量管理系统", "光伏组件智能运维", "风电机组故障诊断", "锂电池正极材料", "碱性电解水制氢",
                   "工业余热回收", "燃料电池电堆测试"],
    "environment": ["工业废水深度处理", "固废资源化利用", "盐碱地生态改良", "VOCs治理", "湖泊水质监测", "尾矿综合利用",
                    "土壤重金属修复"],
    "nuclear": ["核技术辐照加工", "放射性同位素检测仪表", "核电站设备无损检测"],
    "agriculture": ["玉米高产栽培", "大豆新品种选育", "肉牛精准饲喂", "秸秆饲料化利用", "设施蔬菜智能温室", "寒地水稻育秧",
                    "特色食品加工"],
    "transport": ["城市轨道交通信号", "智能网联汽车测试", "新能源商用车动力总成", "汽车热管理系统", "公路桥梁健康监测",
                  "车规级激光雷达"],
    "urban": ["装配式建筑构件", "城市排水管网监测", "既有建筑节能改造", "智慧社区平台", "寒地建筑保温体系",
              "城市燃气管网安全评估", "地下综合管廊监测"],
}
PLANT_VARIETIES = ["吉农大豆38号", "松辽玉米619", "北疆寒稻12号", "吉香糯玉米5号", "延边苹果梨新品系"]

#: (city, 行政区划代码, weight) of off-platform parties: Jilin first (the platform's province), then the big markets
CITIES = [
    ("长春", "220100", 16), ("吉林", "220200", 6), ("四平", "220300", 2), ("通化", "220500", 2), ("延边", "222400", 2),
    ("松原", "220700", 2), ("北京", "110108", 7), ("天津", "120116", 3), ("石家庄", "130100", 2), ("太原", "140100", 1),
    ("包头", "150200", 1), ("沈阳", "210100", 5), ("大连", "210200", 4), ("哈尔滨", "230100", 5), ("大庆", "230600", 2),
    ("上海", "310115", 6), ("南京", "320100", 4), ("苏州", "320500", 5), ("无锡", "320200", 3), ("杭州", "330100", 5),
    ("宁波", "330200", 3), ("合肥", "340100", 3), ("福州", "350100", 1), ("厦门", "350200", 2), ("南昌", "360100", 1),
    ("济南", "370100", 3), ("青岛", "370200", 3), ("郑州", "410100", 3), ("武汉", "420100", 4), ("长沙", "430100", 3),
    ("广州", "440100", 5), ("深圳", "440300", 7), ("东莞", "441900", 2), ("南宁", "450100", 1), ("海口", "460100", 1),
    ("重庆", "500000", 3), ("成都", "510100", 4), ("贵阳", "520100", 1), ("昆明", "530100", 1), ("西安", "610100", 3),
    ("兰州", "620100", 1), ("银川", "640100", 1), ("乌鲁木齐", "650100", 1),
]
BRAND_CHARS = "恒信华瑞泰宏博远正通达鑫盛源丰宇创新天润力安嘉德中科金凯启明众合卓越海川".replace(" ", "")
#: field → what an off-platform company's name says it does
INDUSTRY_WORDS = {
    "electronics": ["智能科技", "信息技术", "电子科技", "软件技术", "数据科技"],
    "manufacturing": ["精密机械", "智能装备", "机床", "自动化设备", "重工"],
    "aerospace": ["航空科技", "无人机技术"],
    "biomedicine": ["生物医药", "制药", "医疗器械", "生物科技"],
    "new_materials": ["新材料", "复合材料", "化工材料"],
    "new_energy": ["新能源", "能源科技", "储能技术", "光伏科技"],
    "environment": ["环保科技", "环境工程", "水务"],
    "nuclear": ["核技术应用", "辐照技术"],
    "agriculture": ["农业科技", "种业", "牧业", "食品"],
    "transport": ["汽车零部件", "轨道交通装备", "交通科技"],
    "urban": ["建设工程", "建筑科技", "市政工程"],
}
#: off-platform 事业单位 and 机关 that buy technology (field → names with a placeholder for the city)
PUBLIC_BUYERS = {
    "urban": [("{city}市住房和城乡建设局", "013"), ("{city}市城市管理局", "013")],
    "environment": [("{city}市生态环境局", "013"), ("{city}市水务集团监测中心", "024")],
    "agriculture": [("{city}市农业技术推广中心", "024"), ("{city}市畜牧总站", "024")],
    "biomedicine": [("{city}市中心医院", "023"), ("{city}市疾病预防控制中心", "023")],
    "transport": [("{city}市交通运输局", "013")],
}
#: off-platform universities and institutes that sell technology: (name, 行政区划代码, 性质, fields)
OFF_PLATFORM_SELLERS = [
    ("东海理工学院", "330200", "022", "electronics manufacturing new_materials"),
    ("中原农业科学院", "410100", "021", "agriculture environment"),
    ("西南交通技术研究院", "510100", "021", "transport urban manufacturing"),
    ("珠江生物技术研究所", "440100", "021", "biomedicine"),
    ("渤海化工研究院", "120116", "021", "new_materials environment"),
    ("皖江工业大学", "340100", "022", "manufacturing electronics new_energy"),
    ("湘江材料研究院", "430100", "021", "new_materials aerospace"),
    ("黔中医药研究所", "520100", "021", "biomedicine agriculture"),
    ("北方核技术应用研究所", "210100", "021", "nuclear electronics"),
    ("秦川航空工程学院", "610100", "022", "aerospace manufacturing"),
    ("金陵信息工程学院", "320100", "022", "electronics urban"),
]
NATURE_WEIGHTS = {"150": 58, "170": 18, "110": 9, "300": 5, "200": 3, "180": 4, "120": 1, "140": 1,
                  "130": 1}
SIZE_WEIGHTS = {"small": 36, "medium": 30, "micro": 14, "large": 20}

REFUSAL_REASONS = [
    "合同标的不明确，技术交易额无法核定，请补充技术方案和验收标准后重新申请。",
    "合同签章单位名称与合同首部当事人名称不一致。",
    "未能提供专利权属证明材料（专利登记簿副本）。",
    "合同中含有限制受让方在标的技术基础上进行改进的条款，属于非法垄断技术的情形。",
    "合同约定的主要内容为设备买卖，技术内容占比过低，不属于技术合同。",
]
LOST_REASONS = [
    "企业预算削减，项目延期到明年再议。", "样品测试未达到企业要求的指标，双方终止洽谈。",
    "双方在知识产权归属上未能达成一致。", "企业被并购，原技术需求取消。", "持有方已与其他企业签约，成果不再对外合作。",
    "企业决定自主研发，不再外部采购技术。",
]

# -- inquiry messages ---------------------------------------------------------------------------------------------
ASK_SUPPLY = [
    "您好！我们是{asker}，关注到贵单位的「{title}」。希望了解该成果的技术成熟度、知识产权状况以及{mode}的具体条件，"
    "能否安排一次线上交流？",
    "贵单位好。我司正在推进新产品开发，「{title}」与我们的需求高度契合。想请教：目前是否已有产业化案例？中试数据能否提供？"
    "我们倾向于以{mode}方式合作{budget}。",
    "您好，在平台上看到「{title}」。我们计划明年新建一条产线，希望就{mode}事宜进一步洽谈，方便的话请提供联系人和技术资料清单。",
    "{asker}技术部来函：我们对「{title}」很感兴趣，想先了解授权专利的保护范围和剩余保护期，以及是否接受分期付款。",
]
ASK_DEMAND = [
    "您好！我单位相关团队长期从事该方向研究，针对贵公司发布的「{title}」已有初步技术方案和实验室验证数据，"
    "希望以{mode}方式承接，能否约时间当面交流？",
    "贵公司好。「{title}」与我们正在开展的课题高度相关，我们有中试条件，可在六个月内给出样件。请问需求中的指标是否有调整空间？",
    "{asker}愿意参与「{title}」的攻关，想了解贵公司现场的工况数据能否共享，以及项目经费的拨付方式。",
]
ASK_CHALLENGE = [
    "我单位对「{title}」很感兴趣，想先了解发榜单位对知识产权归属和阶段考核的具体要求，以及是否接受联合体揭榜。",
    "您好，关于「{title}」，我们团队有相近的技术积累，想确认一下榜单的经费中是否包含中试验证费用。",
]
REPLIES = [
    "感谢关注！该成果已完成中试，相关专利已授权。我们可以先签保密协议，再提供详细技术资料。下周二或周三下午均可安排线上交流。",
    "您好，收到来信。我们的技术负责人会尽快与您联系，初步考虑以{mode}方式合作，具体条件可以面谈。",
    "感谢来信。资料已整理好，稍后通过平台附件发送。关于价格，我们希望结合贵方的产能规模商定。",
    "您好！欢迎来访交流。建议先由双方技术人员对接一次，明确应用场景和验收指标，再讨论合同条款。",
]
FOLLOW_UPS = [
    "好的，我们已内部评估，拟派技术团队下周到访，请确认时间。",
    "资料已收到，谢谢。我们的工程师正在核算改造成本，预计两周内给出意见。",
    "感谢答复。请问能否先做一批小试样品，由我方在现场工况下验证？",
]
BROKER_NOTES = [
    "我是平台技术经纪人{broker}。双方如有需要，我可以协助组织技术对接会，并提供技术合同范本和登记指引。",
    "{broker}（技术经纪人）：已了解双方意向，建议先签订保密协议，我会跟进后续的合同起草和认定登记。",
]
CLOSING = [
    "感谢贵方的详细介绍，经内部评估，本阶段暂不推进，后续有需要再联系。",
    "双方已就合作达成一致并签订技术合同，本次洽谈结束，谢谢！",
]
DECLINE_NOTES = {
    "not_available": "该成果已于今年与另一家企业签订独占许可，暂时无法再对外合作。",
    "terms": "我们目前只考虑技术许可，不接受整体转让。",
    "budget": "贵方预算与我们对该成果的评估价值差距较大，暂不考虑。",
    "not_relevant": "经评估，贵方的应用场景与该技术的适用范围不一致。",
    "capacity": "团队目前承担多个国家项目，今年内无力承接新的开发任务。",
    "other": "单位正在调整成果转化管理办法，相关合作暂缓，新办法出台后我们会主动联系。",
}
MODE_WORDS = {"assignment": "转让", "licence": "许可", "equity": "作价投资", "joint_development": "合作开发",
              "service": "技术服务"}
