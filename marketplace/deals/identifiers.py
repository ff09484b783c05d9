"""Checks of the codes a technology contract carries: 统一社会信用代码 (GB 32100-2015), 行政区划代码 (GB/T 2260),
国别代码 (ISO 3166 numeric) and the 16-digit 合同登记编号."""
from __future__ import annotations

import re

from ..taxonomy import REGIONS

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^i mod 31
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_REGION = re.compile(r"^\d{6}$")
_COUNTRY = re.compile(r"^\d{3}$")
_REGISTRATION_NUMBER = re.compile(r"^\d{16}$")
CHINA = "156"


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(char) * weight for char, weight in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """18 characters from the GB 32100 alphabet, the 3rd–8th a region code, the last the check character."""
    code = (code or "").upper()
    return bool(_CREDIT_CODE.match(code)) and credit_code_check_character(code[:17]) == code[17]


def is_valid_region(code: str) -> bool:
    """A 6-digit GB/T 2260 code in a province we know (province, prefecture or county level)."""
    return bool(_REGION.match(code or "")) and f"{code[:2]}0000" in REGIONS


def province_of(code: str | None) -> str | None:
    return f"{code[:2]}0000" if code and len(code) >= 2 else None


def is_valid_country(code: str) -> bool:
    return bool(_COUNTRY.match(code or ""))


def is_valid_registration_number(number: str) -> bool:
    return bool(_REGISTRATION_NUMBER.match(number or ""))
