"""The contract's input rules, through the schema every path (pages, API, imports) loads with."""
from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.deals.contract_input import ContractInput
from marketplace.deals.identifiers import credit_code_check_character, is_valid_credit_code, is_valid_region
from marketplace.errors import ValidationFailed
from marketplace.validation import load_or_raise

SELLER_CODE = "91350100M000100Y43"  # a published example with a correct check character


def contract(**changes) -> dict:
    data = {
        "name": "一种锂电池正极材料专利实施许可合同", "contract_type": "licence", "contract_subtype": "patent_ordinary",
        "total_amount": "120.5", "technical_amount": "100", "payment_method": "instalments",
        "signed_on": "2026-03-02", "valid_from": "2026-03-02", "valid_to": "2029-03-01",
        "technical_field": "new_energy",
        "parties": [
            {"role": "seller", "name": "福州大学", "credit_code": SELLER_CODE, "nature": "022", "region": "350100"},
            {"role": "buyer", "name": "宁德某新能源有限公司", "credit_code": "91350900MA2XN0QK7" +
             credit_code_check_character("91350900MA2XN0QK7"), "nature": "150", "region": "350900"},
        ],
    }
    data.update(changes)
    return data


def errors_of(data) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        load_or_raise(ContractInput(), data)
    return caught.value.errors


def test_a_complete_contract_loads_with_exact_amounts(ctx):
    loaded = load_or_raise(ContractInput(), contract())
    assert loaded["total_amount"] == Decimal("120.5000") and isinstance(loaded["technical_amount"], Decimal)
    assert [party["country"] for party in loaded["parties"]] == ["156", "156"]


def test_credit_code_check_character():
    assert is_valid_credit_code(SELLER_CODE)
    assert is_valid_credit_code(SELLER_CODE.lower())
    assert not is_valid_credit_code(SELLER_CODE[:-1] + "4")  # wrong check character
    assert not is_valid_credit_code("91350100M000100Y4")  # 17 characters
    assert not is_valid_credit_code("9135010OM000100Y43")  # O is not in the alphabet


def test_region_codes():
    assert is_valid_region("350100") and is_valid_region("110000")
    assert not is_valid_region("990000") and not is_valid_region("3501") and not is_valid_region("35010a")


@pytest.mark.parametrize("changes, field", [
    ({"technical_amount": "130"}, "technical_amount"),  # above 成交额
    ({"valid_to": "2025-01-01"}, "valid_to"),  # end before start
    ({"contract_subtype": "commissioned"}, "contract_subtype"),  # a development sub-type under 技术许可
    ({"equity_investment": True}, "equity_investment"),  # 技术入股 registers as 技术转让
    ({"payment_method": "equity"}, "payment_method"),
    ({"registration_number": "2026350100"}, "registration_number"),
    ({"technical_field": "ai"}, "technical_field"),  # not one of the 11 national categories
    ({"total_amount": "-1"}, "total_amount"),
    ({"total_amount": "abc"}, "total_amount"),
    ({"total_amount": "120.00001"}, "total_amount"),  # a fifth decimal is refused, not rounded away
])
def test_each_rule_names_its_field(ctx, changes, field):
    assert field in errors_of(contract(**changes))


def test_party_codes_are_checked_and_named(ctx):
    data = contract()
    data["parties"][1]["credit_code"] = SELLER_CODE[:-1] + "4"
    data["parties"][1]["region"] = "990000"
    errors = errors_of(data)
    assert set(errors["parties"][1]) == {"credit_code", "region"}


def test_one_seller_and_one_buyer(ctx):
    data = contract()
    data["parties"][1]["role"] = "seller"
    assert "parties" in errors_of(data)


def test_a_natural_person_needs_no_credit_code(ctx):
    data = contract()
    data["parties"][1].update(nature="400", credit_code=None, name="张三")
    assert load_or_raise(ContractInput(), data)["parties"][1]["nature"] == "400"


def test_equity_payment_marks_a_transfer_as_equity_investment(ctx):
    loaded = load_or_raise(ContractInput(), contract(contract_type="transfer", contract_subtype="patent",
                                                     payment_method="equity"))
    assert loaded["equity_investment"] is True
