"""The topic-bank format shared by the ``content_*`` modules, and its parser.

A bank is a text block of topics separated by blank lines; each topic has nine lines, in this order:

1. title core (a noun phrase, no trailing 技术)
2. keywords, separated by spaces
3. industry codes separated by spaces, `` / ``, IPC codes separated by ``;``
4. technical principle (one clause, no final punctuation)
5. metrics separated by ``;``, each ``name|low~high|unit|direction`` (``+`` higher is better, ``-`` lower is better)
6. application prospects (one clause)
7. benefit versus the incumbent solution, with ``{low~high}`` placeholders
8. the pain point as a company would describe it (one clause)
9. the core of a demand title
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{([\d.]+)~([\d.]+)\}")


@dataclass(frozen=True)
class Metric:
    name: str
    low: str
    high: str
    unit: str
    direction: str  # "+" or "-"


@dataclass(frozen=True)
class Topic:
    field: str
    core: str
    keywords: tuple[str, ...]
    industries: tuple[str, ...]
    ipc: tuple[str, ...]
    principle: str
    metrics: tuple[Metric, ...]
    application: str
    benefit: str
    pain: str
    need: str


def _metric(text: str) -> Metric:
    name, span, unit, direction = (part.strip() for part in text.split("|"))
    low, high = span.split("~")
    if direction not in "+-" or float(low) > float(high):
        raise ValueError(f"bad metric: {text}")
    return Metric(name, low, high, unit, direction)


def parse_bank(field: str, block: str) -> list[Topic]:
    """Parse a text block (see the module docstring) into topics of ``field``."""
    topics = []
    for chunk in block.strip().split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines()]
        if len(lines) != 9:
            raise ValueError(f"{field}: topic needs 9 lines, got {len(lines)}: {lines[:1]}")
        core, kws, codes, principle, metrics, application, benefit, pain, need = lines
        industries, ipc = codes.split(" / ")
        topics.append(Topic(
            field=field, core=core, keywords=tuple(kws.split()), industries=tuple(industries.split()),
            ipc=tuple(code.strip() for code in ipc.split(";")), principle=principle,
            metrics=tuple(_metric(m) for m in metrics.split(";")), application=application,
            benefit=benefit, pain=pain, need=need))
    return topics


def decimals(number: str) -> int:
    return len(number.split(".")[1]) if "." in number else 0


def draw(rng, low: str, high: str) -> str:
    """A value between ``low`` and ``high`` with the precision of ``low``."""
    places = max(decimals(low), decimals(high))
    value = rng.uniform(float(low), float(high))
    return f"{value:.{places}f}"


def fill(rng, template: str) -> str:
    """Replace every ``{low~high}`` in ``template`` by a drawn value."""
    return PLACEHOLDER.sub(lambda m: draw(rng, m.group(1), m.group(2)), template)


_CHANGE_WORDS = ("提高", "降低", "减少", "提升", "缩短", "延长", "减小", "增加")


def render_metric(rng, metric: Metric) -> str:
    """The metric as an achievement states it, with a value drawn from its range."""
    value = draw(rng, metric.low, metric.high)
    name, unit = metric.name, metric.unit
    if name.endswith(_CHANGE_WORDS) or value.startswith("-"):
        patterns = ["{n}{v}{u}", "{n}约{v}{u}"]
    elif metric.direction == "+":
        patterns = ["{n}{v}{u}", "{n}达到{v}{u}", "{n}{v}{u}", "{n}不低于{v}{u}"]
    else:
        patterns = ["{n}{v}{u}", "{n}低至{v}{u}", "{n}{v}{u}", "{n}控制在{v}{u}以内"]
    return rng.choice(patterns).format(n=name, v=value, u=unit)


def demand_metric(metric: Metric) -> str:
    """The metric as a demand requires it: the low end of the range (or the high end, when lower is better)."""
    if metric.name.endswith(_CHANGE_WORDS):
        if metric.direction == "+":
            return f"{metric.name}不低于{metric.low}{metric.unit}"
        return f"{metric.name}不超过{metric.high}{metric.unit}"
    if metric.direction == "+":
        return f"{metric.name}≥{metric.low}{metric.unit}"
    return f"{metric.name}≤{metric.high}{metric.unit}"


def clip(text: str, limit: int) -> str:
    """Cut ``text`` after the last clause break that keeps it within ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in "，；。")
    return text[:cut] + "。" if cut > 0 else text[:limit - 1] + "。"


MATERIAL_ENDINGS = ("膜", "剂", "材料", "涂料", "涂层", "微球", "敷料", "电极", "芯片", "纤维", "合金", "型材", "浆料",
                    "树脂", "乳液", "橡胶", "基板", "疫苗", "支架", "毡", "植入物", "关节", "反射镜", "骨架", "板簧",
                    "镜片", "电解质", "活性炭", "后地板", "零件", "磁体", "构件", "模块", "种植体", "滤波器", "菌株",
                    "培养基", "载体", "化合物", "多肽", "激光器", "器件", "混凝土", "混合料", "乳粉", "减速器", "伺服阀",
                    "冷板", "叶轮", "带材", "聚碳酸酯", "菌株")
DEVICE_ENDINGS = ("机", "泵", "器", "仪", "系统", "平台", "终端", "装备", "设备", "装置", "机器人", "电堆", "阵列",
                  "内镜", "内窥镜", "雷达", "单元", "网关", "电机", "温室", "贴", "机床", "扫描仪", "电解槽", "软件")


def topic_kind(topic: Topic) -> str:
    """"material" (a product made), "device" (a machine or system) or "process" (a method), judged by the core's end."""
    if topic.core.endswith(MATERIAL_ENDINGS):
        return "material"
    if topic.core.endswith(DEVICE_ENDINGS):
        return "device"
    return "process"
