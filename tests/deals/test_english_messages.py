"""The contract import's row messages that quote what the file holds, in English over the JSON API
(``Accept-Language: en``): a line that is not JSON (with its column) and an unknown registration status. Without
Accept-Language the same file is reported in Chinese, as before."""
from __future__ import annotations

import io
import re

from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import ApiClient, _cheap_password_hashing, make_token  # noqa: F401

CJK = re.compile(r"[\u4e00-\u9fff]")
FILE = ('{"title": "坏行"\n'
        '{"registration_status": "unknown-status"}\n').encode()


def _issues(api: ApiClient, headers: dict) -> dict[int, list[str]]:
    response = api.post("/deals/import", data={"file": (io.BytesIO(FILE), "deals.jsonl")},
                        content_type="multipart/form-data", headers=headers)
    assert response.status_code == 200, response.get_json()
    issues: dict[int, list[str]] = {}
    for issue in response.get_json()["issues"]:
        issues.setdefault(issue["row"], []).append(issue["message"])
    return issues


def test_import_row_messages_quoting_the_file_in_english(app, client):
    with app.app_context():
        broker = ApiClient(client, make_token(f.broker()))
        db.session.commit()
    english, chinese = _issues(broker, {"Accept-Language": "en"}), _issues(broker, {})
    assert english[1] == ["Not valid JSON: Expecting ',' delimiter (column 1)"]
    assert chinese[1] == ["不是有效的 JSON：Expecting ',' delimiter（第 1 列）"]
    status_en = [text for text in english[2] if "unknown-status" in text]
    assert status_en == ["Invalid registration status: unknown-status (valid: 待登记 awaiting registration, "
                         "已登记 registered, 不予登记 registration refused)"]
    assert not CJK.search(re.sub("待登记|已登记|不予登记", "", status_en[0]))
    assert [text for text in chinese[2] if "unknown-status" in text] == [
        "无效的登记状态：unknown-status（可选：待登记、已登记、不予登记）"]


def _issue_list(api: ApiClient, body: bytes, headers: dict) -> list[tuple[int, str, str]]:
    response = api.post("/deals/import", data={"file": (io.BytesIO(body), "deals.jsonl")},
                        content_type="multipart/form-data", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [(issue["row"], issue["field"], issue["message"]) for issue in response.get_json()["issues"]]


def test_import_report_messages_stored_in_chinese_are_answered_in_english(app, client):
    """Messages the importer stores as written (Chinese) are translated when the API answers: one with a number
    in it (its %(n0)s template) and a plain one."""
    with app.app_context():
        broker = ApiClient(client, make_token(f.broker()))
        db.session.commit()
    body = ('{"title": "登记行", "registration_status": "registered"}\n'
            '{"unknown_column": "x"}\n').encode()
    english, chinese = _issue_list(broker, body, {"Accept-Language": "en"}), _issue_list(broker, body, {})
    assert (1, "registration_number", "A registered contract needs its 16-digit registration number") in english
    assert (1, "registered_on", "A registered contract needs its registration date") in english
    assert (2, "_row", "This row has no recognised columns (headers must be the registration form's Chinese "
                       "column names or the English keys)") in english
    assert not [message for _, _, message in english if CJK.search(message)], english
    assert (1, "registration_number", "已登记的合同应填写 16 位合同登记编号") in chinese
    assert (1, "registered_on", "已登记的合同应填写登记日期") in chinese
    assert (2, "_row", "该行没有可识别的列（表头应为登记表的中文列名或英文键）") in chinese
