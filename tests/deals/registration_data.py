"""Deals for the registration export and import tests, recorded through record_deal as the platform."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from marketplace.deals.identifiers import credit_code_check_character
from marketplace.deals.models import DealPayment
from marketplace.deals.services import party_from_org, record_deal
from marketplace.extensions import db
from marketplace.workflow import SYSTEM
from marketplace.workflow.deals import DEAL


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


SELLER_CODE = credit_code("12220000412755822")
BUYER_CODE = credit_code("91220101MA17W3YX0")
AGENCY_CODE = credit_code("91220104MA0Y9L2B1")


def contract(**changes) -> dict:
    data = {
        "name": "一种锂电池正极材料专利实施许可合同", "contract_type": "licence", "contract_subtype": "patent_ordinary",
        "total_amount": "120.5", "technical_amount": "100.25", "payment_method": "instalments",
        "signed_on": "2025-03-02", "valid_from": "2025-03-02", "valid_to": "2028-03-01",
        "technical_field": "new_energy", "ip_type": "patent", "plan_source": "provincial",
        "parties": [
            {"role": "seller", "name": "吉林某大学", "credit_code": SELLER_CODE, "nature": "022", "region": "220102",
             "flags": ["rd_institution"], "contact": "王老师", "phone": "0431-85166666"},
            {"role": "buyer", "name": "长春某新能源有限公司", "credit_code": BUYER_CODE, "nature": "150",
             "region": "220104", "flags": ["high_tech_zone", "listed"], "enterprise_size": "small",
             "postcode": "010010"},
        ],
    }
    data.update(changes)
    return data


def deal(data: dict | None = None, *, payments=(), register: tuple[str, date] | None = None,
         refuse: str | None = None, **changes):
    """A deal recorded as SYSTEM; payments (date, amount) and registration through the lifecycle."""
    record = record_deal(SYSTEM, data or contract(**changes))
    record.payments = [DealPayment(received_on=on, amount=Decimal(amount), note=note)
                       for on, amount, *rest in payments for note in [rest[0] if rest else None]]
    if register is not None:
        record.registration_number, record.registered_on = register
        DEAL.apply(SYSTEM, record, "register")
    if refuse is not None:
        DEAL.apply(SYSTEM, record, "refuse", reason=refuse)
    db.session.flush()
    return record


def varied_deals(count: int = 6) -> list:
    """Deals of every type, state and shape: payments, a 技术中介 with its intermediary, refusals, registrations."""
    made = [
        deal(payments=[(date(2025, 4, 1), "50", "首期款"), (date(2025, 9, 1), "70.5")],
             register=("2025220100000123", date(2025, 3, 20)), external_id="HIST-0001"),
        deal(name="高效光伏组件委托开发合同", contract_type="development", contract_subtype="commissioned",
             total_amount="3500", technical_amount="3200.1234", payment_method="lump_sum", technical_field="electronics",
             ip_type="none", plan_source="none", related_party=True, signed_on="2024-11-30", valid_from=None,
             valid_to=None, external_id="HIST-0002"),
        deal(name="作价入股：固态电解质专利权", contract_type="transfer", contract_subtype="patent",
             payment_method="equity", total_amount="12000", technical_amount="12000", external_id="HIST-0003",
             refuse="合同标的不明确"),
        deal(data={**contract(name="技术经纪服务合同", contract_type="service", contract_subtype="intermediary",
                              total_amount="8", technical_amount="8", payment_method="lump_sum",
                              external_id="HIST-0004"),
                   "parties": [*contract()["parties"],
                               {"role": "intermediary", "name": "吉林某技术转移中心", "credit_code": AGENCY_CODE,
                                "nature": "150", "region": "220104", "flags": ["tech_transfer_agency"]}]}),
        deal(name="无编号的历史技术咨询合同", contract_type="consulting", contract_subtype="general",
             total_amount="0.5", technical_amount="0.5", payment_method="lump_sum", signed_on="2023-06-06",
             technical_field="agriculture", notes="多行\n备注"),
        deal(data={**contract(name="个人技术服务合同", contract_type="service", contract_subtype="training",
                              external_id="HIST-0006", signed_on="2022-01-15"),
                   "parties": [{"role": "seller", "name": "张三", "nature": "400", "region": "220102"},
                               contract()["parties"][1]]}),
    ]
    return made[:count]


def org_party(org, role: str) -> dict:
    party = party_from_org(org, role)
    party["nature"] = party["nature"] or "150"
    return party


def sheet_rows(data: bytes) -> list[tuple]:
    """Every row of the first sheet (values only)."""
    workbook = load_workbook(io.BytesIO(data))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows
