"""The registration export: the XLSX opened with openpyxl and its cells checked; who may export what; a large batch
streams in bounded memory."""
from __future__ import annotations

import io
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from marketplace.deals.models import Deal, DealParty
from marketplace.deals.registration_export import CHUNK, batch_deals, export_deals
from marketplace.deals.registration_form import HEADERS, KEYS, key_of_header
from marketplace.extensions import db
from tests import factories as f
from tests.deals.registration_data import (AGENCY_CODE, BUYER_CODE, SELLER_CODE, contract, deal, org_party,
                                           sheet_rows, varied_deals)
from tests.web.helpers import login


def exported(deals) -> list[dict]:
    """The exported workbook's rows as header → cell value."""
    buffer = io.BytesIO()
    export_deals(buffer, deals)
    rows = sheet_rows(buffer.getvalue())
    assert list(rows[0]) == HEADERS
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_headers_follow_the_registration_form_and_read_back_as_keys():
    assert HEADERS[:3] == ["合同登记编号", "项目名称（合同名称）", "签订日期"]
    assert HEADERS.index("合同成交额（万元）") < HEADERS.index("技术交易额（万元）") < HEADERS.index("合同类别")
    assert HEADERS.index("技术领域") < HEADERS.index("卖方名称") < HEADERS.index("买方名称") < HEADERS.index("中介方名称")
    assert [key_of_header(h) for h in HEADERS] == KEYS
    assert key_of_header("合同成交额(万元)") == key_of_header("total_amount") == "total_amount"
    assert key_of_header("没有这一列") is None


def test_one_contract_cells(ctx):
    record = deal(payments=[(date(2025, 4, 1), "50", "首期款"), (date(2025, 9, 1), "70.5")],
                  register=("2025220100000123", date(2025, 3, 20)), external_id="HIST-0001")
    [row] = exported([record])
    assert row["合同登记编号"] == "2025220100000123" and isinstance(row["合同登记编号"], str)
    assert row["项目名称（合同名称）"] == "一种锂电池正极材料专利实施许可合同"
    assert row["签订日期"] == datetime(2025, 3, 2) and row["合同有效期止"] == datetime(2028, 3, 1)
    assert Decimal(str(row["合同成交额（万元）"])) == Decimal("120.5")
    assert Decimal(str(row["技术交易额（万元）"])) == Decimal("100.25")
    assert (row["合同类别"], row["合同子类"]) == ("技术许可", "专利实施许可（普通）")
    assert (row["支付方式"], row["计划来源"], row["知识产权类型"], row["技术领域"]) == (
        "分期支付", "省级计划", "专利", "新能源与高效节能")
    assert (row["关联交易"], row["技术入股（作价投资）"]) == ("否", "否")
    assert (row["卖方名称"], row["卖方统一社会信用代码"], row["卖方行政区划代码"], row["卖方国别代码"]) == (
        "吉林某大学", SELLER_CODE, "220102", "156")
    assert row["卖方主体性质"] == "事业法人：高等院校" and row["卖方主体属性"] == "研发机构"
    assert (row["买方统一社会信用代码"], row["买方行政区划代码"], row["买方主体性质"]) == (
        BUYER_CODE, "220104", "内资企业：有限责任公司")
    assert row["买方主体属性"] == "国家高新区内企业；上市企业" and row["买方企业规模"] == "小型"
    assert row["买方邮政编码"] == "010010"  # leading zero kept: written as text
    assert row["中介方名称"] is None
    assert (row["登记状态"], row["登记日期"], row["外部编号"]) == ("已登记", datetime(2025, 3, 20), "HIST-0001")
    assert Decimal(str(row["到账金额合计（万元）"])) == Decimal("120.5") and row["到账日期"] == datetime(2025, 9, 1)
    assert row["到账明细"] == "2025-04-01 50 首期款\n2025-09-01 70.5"


def test_every_type_and_state_is_written_with_labels(ctx):
    rows = {row["项目名称（合同名称）"]: row for row in exported(varied_deals())}
    development = rows["高效光伏组件委托开发合同"]
    assert (development["合同类别"], development["合同子类"], development["关联交易"]) == ("技术开发", "委托开发", "是")
    assert Decimal(str(development["技术交易额（万元）"])) == Decimal("3200.1234")
    assert development["合同有效期起"] is None and development["登记状态"] == "待登记"
    equity = rows["作价入股：固态电解质专利权"]
    assert (equity["支付方式"], equity["技术入股（作价投资）"], equity["登记状态"], equity["不予登记原因"]) == (
        "作价入股", "是", "不予登记", "合同标的不明确")
    brokered = rows["技术经纪服务合同"]
    assert (brokered["合同子类"], brokered["中介方名称"], brokered["中介方统一社会信用代码"]) == (
        "技术中介", "吉林某技术转移中心", AGENCY_CODE)
    assert brokered["中介方主体属性"] == "技术转移机构"
    person = rows["个人技术服务合同"]
    assert (person["卖方主体性质"], person["卖方统一社会信用代码"]) == ("自然人", None)


def test_batch_filters_select_like_the_deals_list(ctx):
    varied_deals()
    every = list(batch_deals(f.broker(), {}))
    assert len(every) == 6 and [d.id for d in every] == sorted(d.id for d in every)
    assert {d.contract_type for d in batch_deals(f.broker(), {"contract_type": "service"})} == {"service"}
    assert {d.signed_on.year for d in batch_deals(f.broker(), {"year": 2025})} == {2025}
    assert [d.registration_status for d in batch_deals(f.broker(), {"registration_status": "refused"})] == [
        "refused"]
    assert [d.id for d in batch_deals(f.broker(), {"ids": [every[1].id, every[3].id]})] == [every[1].id, every[3].id]


# -- over HTTP ----------------------------------------------------------------------------------------------------

@pytest.fixture
def parties(app):
    """A university and an enterprise that are the two parties of a deal, an outsider, a broker, an admin."""
    with app.app_context():
        university, enterprise = f.organization("university"), f.organization("enterprise")
        seller, buyer = f.user(university), f.user(enterprise)
        outsider = f.user(f.organization("enterprise"))
        broker, admin = f.broker(), f.admin()
        record = deal(contract(parties=[org_party(university, "seller") | {"credit_code": SELLER_CODE},
                                        org_party(enterprise, "buyer") | {"credit_code": BUYER_CODE}]))
        other = deal(contract(name="别人的合同"))
        db.session.commit()
        return {"seller": seller.email, "buyer": buyer.email, "outsider": outsider.email, "broker": broker.email,
                "admin": admin.email, "deal": record.id, "other": other.id}


def signed_in(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def test_a_party_exports_its_own_deal_and_no_other(app, parties):
    client = signed_in(app, parties["seller"])
    response = client.get(f"/deals/{parties['deal']}/registration.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = sheet_rows(response.data)
    assert len(rows) == 2 and rows[1][HEADERS.index("卖方统一社会信用代码")] == SELLER_CODE
    assert client.get(f"/deals/{parties['other']}/registration.xlsx").status_code == 404
    assert client.get("/deals/999999/registration.xlsx").status_code == 404
    assert signed_in(app, parties["buyer"]).get(f"/deals/{parties['deal']}/registration.xlsx").status_code == 200
    outsider = signed_in(app, parties["outsider"])
    assert outsider.get(f"/deals/{parties['deal']}/registration.xlsx").status_code == 404


def test_batch_export_is_for_staff(app, client, parties):
    assert client.get("/deals/registration.xlsx").status_code in (302, 401)  # to the login page
    assert signed_in(app, parties["seller"]).get("/deals/registration.xlsx").status_code == 403
    client = signed_in(app, parties["broker"])
    response = client.get(f"/deals/registration.xlsx?ids={parties['deal']},{parties['other']}&year=2025")
    assert response.status_code == 200 and len(sheet_rows(response.data)) == 3
    assert len(sheet_rows(client.get("/deals/registration.xlsx?contract_type=development").data)) == 1
    bad = client.get("/deals/registration.xlsx?year=abc&contract_type=nope&ids=1,x")
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "年份应为整数" in page and "无效的合同类别" in page and "以逗号分隔" in page


def test_batch_export_over_the_api(app, client, parties):
    from tests.api.conftest import ApiClient, make_token
    from marketplace.accounts.models import User

    with app.app_context():
        broker = db.session.scalar(select(User).where(User.email == parties["broker"]))
        seller = db.session.scalar(select(User).where(User.email == parties["seller"]))
        tokens = make_token(broker), make_token(seller)
        db.session.commit()
    staff, member = ApiClient(client, tokens[0]), ApiClient(client, tokens[1])
    response = staff.get(f"/deals/registration.xlsx?ids={parties['deal']}")
    assert response.status_code == 200 and len(sheet_rows(response.data)) == 2
    assert member.get("/deals/registration.xlsx").status_code == 403
    assert staff.get("/deals/registration.xlsx?registration_status=gone").status_code == 422
    assert ApiClient(client).get("/deals/registration.xlsx").status_code == 401


# -- streaming ----------------------------------------------------------------------------------------------------

def _bulk_copies(model: Deal, copies: int) -> None:
    """``copies`` more deals like ``model`` (parties included), inserted in bulk: the export is what is tested."""
    columns = [c.key for c in Deal.__table__.columns if c.key not in ("id", "external_id", "registration_number")]
    party_columns = [c.key for c in DealParty.__table__.columns if c.key not in ("id", "deal_id")]
    row = {name: getattr(model, name) for name in columns}
    parties = [{name: getattr(p, name) for name in party_columns} for p in model.parties]
    first = db.session.scalar(select(db.func.max(Deal.id))) + 1
    db.session.execute(insert(Deal), [{**row, "id": first + i, "name": f"{model.name}{i}"} for i in range(copies)])
    db.session.execute(insert(DealParty), [{**p, "deal_id": first + i} for i in range(copies) for p in parties])
    db.session.flush()


def _export_peak(actor) -> tuple[int, int]:
    buffer = io.BytesIO()
    tracemalloc.start()
    try:
        count = export_deals(buffer, batch_deals(actor, {}))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_a_large_batch_streams_in_bounded_memory(ctx):
    """2,000 deals (four chunks) peak at about what one chunk of 500 takes: rows are not held in memory."""
    broker = f.broker()
    model = deal(payments=[(date(2025, 4, 1), "50")])
    _bulk_copies(model, CHUNK - 1)
    one_chunk_count, one_chunk_peak = _export_peak(broker)
    _bulk_copies(model, 3 * CHUNK)
    count, peak = _export_peak(broker)
    assert (one_chunk_count, count) == (CHUNK, 4 * CHUNK)
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
    assert peak < one_chunk_peak * 1.5, \
        f"peak {peak / 2**20:.1f} MiB for {count} deals vs {one_chunk_peak / 2**20:.1f} MiB for {CHUNK}"
