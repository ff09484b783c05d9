"""The contract import page and its report in English: each column by its English name (the file's Chinese headers
are the Chinese page's names, unchanged)."""
from __future__ import annotations

import io

from marketplace.extensions import db
from tests import factories as f
from tests.web.helpers import csrf_from, login


def _broker(app):
    with app.app_context():
        email = f.broker().email
        db.session.commit()
    client = app.test_client()
    login(client, email)
    return client


def test_import_page_names_columns_in_the_page_language(app):
    broker = _broker(app)
    chinese = broker.get("/deals/import").get_data(as_text=True)
    assert "<td>卖方统一社会信用代码</td>" in chinese and "<td>合同成交额（万元）</td>" in chinese

    english = broker.get("/deals/import?lang=en").get_data(as_text=True)
    assert "<td>Seller unified social credit code</td>" in english
    assert "<td>Contract value (¥10k)</td>" in english and "<code>total_amount</code>" in english
    assert "卖方" not in english and "合同成交额" not in english


def test_import_report_names_the_column_in_english(app):
    broker = _broker(app)
    broker.get("/?lang=en")
    token = csrf_from(broker, "/deals/import")
    bad = "项目名称,合同成交额（万元）\n坏行,abc\n".encode("gb18030")
    response = broker.post("/deals/import", data={"csrf_token": token, "file": (io.BytesIO(bad), "bad.csv")},
                           content_type="multipart/form-data")
    report = broker.get(response.headers["Location"]).get_data(as_text=True)
    assert "Contract value (¥10k)" in report and "<code class=\"muted small\">total_amount</code>" in report
    assert "合同成交额" not in report
