"""Deterministic, valid identifiers for the demo: 统一社会信用代码 (GB 32100-2015) and 合同登记编号.

A credit code is 登记管理部门代码 (1 机构编制, 5 民政, 9 市场监管) + 机构类别代码 (under 1: 1 机关, 2 事业单位; under 9:
1 企业) + the registering authority's 行政区划代码 (6 digits) + a 9-character 组织机构代码 (GB 11714: 8 characters
and its own check character) + the GB 32100 check character.
"""
from __future__ import annotations

import random

from ..deals.identifiers import CREDIT_CODE_ALPHABET, credit_code_check_character

#: organisation type → 登记管理部门代码 + 机构类别代码
CATEGORY = {"government": "11", "university": "12", "institute": "12", "enterprise": "91", "broker_agency": "91",
            "investor": "91", "social": "51"}
#: telephone area code → the prefecture-level 行政区划代码 where an organisation is registered
AREA_PREFECTURES = {
    "0431": "220100", "0432": "220200", "0433": "222400", "0434": "220300", "0435": "220500", "0436": "220800",
    "0437": "220400", "0438": "220700", "0439": "220600", "024": "210100", "0411": "210200", "0451": "230100",
    "010": "110108", "021": "310115", "0512": "320500", "020": "440100", "0755": "440300", "0532": "370200",
    "029": "610100", "027": "420100", "028": "510100",
}
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_BODY_LETTERS = [c for c in CREDIT_CODE_ALPHABET if c.isalpha()]


def _value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def organisation_code(rng: random.Random, recent: bool = False) -> str:
    """A 9-character 组织机构代码 (GB 11714): 8 characters and a check character (0–9 or X). Codes issued with a
    credit code since 2015 typically begin with "MA"."""
    if recent:
        body = "MA" + "".join(rng.choice("0123456789" * 2 + "".join(_BODY_LETTERS)) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    remainder = 11 - sum(_value(c) * w for c, w in zip(body, _GB11714_WEIGHTS)) % 11
    return body + {10: "X", 11: "0"}.get(remainder, str(remainder))


def credit_code(org_type: str, region: str, rng: random.Random, recent: bool | None = None) -> str:
    """A valid 统一社会信用代码 for an organisation of ``org_type`` registered in ``region`` (6-digit code)."""
    category = CATEGORY.get(org_type, "91")
    if recent is None:
        recent = category == "91" and rng.random() < 0.5
    first17 = category + region + organisation_code(rng, recent)
    return first17 + credit_code_check_character(first17)


def org_credit_code(name: str, org_type: str, region: str, area: str | None = None) -> str:
    """The demo organisation ``name``'s code: the same on every load (seeded by the name alone, so adding an
    organisation never changes another's)."""
    return credit_code(org_type, AREA_PREFECTURES.get(area or "", region), random.Random(f"credit-code:{name}"))
