"""Bad input never answers 500: validation errors are 422 problem documents with Chinese per-field messages,
malformed JSON is 400, non-JSON bodies are 415, odd query arguments are 422."""
import pytest

from tests import factories as f

from .conftest import assert_problem, create


def test_missing_fields_have_chinese_messages(world):
    body = assert_problem(world.owner.post("/achievements", json={}), 422, "title", "summary", "technical_field")
    assert body["title"] == "提交的数据有误"
    assert body["errors"]["title"] == ["此项为必填项"]


@pytest.mark.parametrize("field, value, message", [
    ("title", 123, "请输入文本"),
    ("title", "短", "长度应在 4 到 200 个字符之间"),
    ("title", "长" * 100_000, "长度应在 4 到 200 个字符之间"),
    ("summary", None, "此项不能为空"),
    ("technical_field", "time_travel", "无效的技术领域：time_travel"),
    ("trl", 10, "应为 1 到 9 之间的整数"),
    ("trl", "七", "请输入整数"),
    ("trl", True, "请输入整数"),
    ("trl", 10**30, "应为 1 到 9 之间的整数"),
    ("price_amount", -1, "金额应为 0 到 1000 亿之间的数字（单位：万元）"),
    ("price_amount", "很多", "请输入有效的金额（单位：万元）"),
    ("price_amount", "NaN", "请输入有效的金额"),
    ("keywords", "不是列表", "应为列表"),
    ("transfer_modes", ["gift"], None),
    ("region", "999999", "无效的地区代码：999999"),
    ("patent_ids", ["a"], None),
    ("patent_ids", [10**30], None),
    ("ip_type", {"nested": "object"}, "请输入文本"),
])
def test_wrong_values_are_422_with_field_messages(world, field, value, message):
    body = assert_problem(world.owner.post("/achievements", json=f.achievement_data(**{field: value})), 422, field)
    if message:
        assert body["errors"][field] == [message]


@pytest.mark.parametrize("data, content_type, status", [
    (b'{"title": ', "application/json", 400),
    (b"\xff\xfe\x00garbage", "application/json", 400),
    (b"[" * 50_000 + b"]" * 50_000, "application/json", 400),
    (b"title=x", "application/x-www-form-urlencoded", 415),
    (b"plain text", "text/plain", 415),
    (b'["a", "list"]', "application/json", 422),
    (b'"a string"', "application/json", 422),
    (b"null", "application/json", 422),
])
def test_malformed_bodies(world, data, content_type, status):
    response = world.owner.post("/achievements", data=data, content_type=content_type)
    assert_problem(response, status)


def test_empty_body_means_empty_object(world):
    assert_problem(world.owner.post("/achievements"), 422, "title")
    rid = create(world.owner, "achievements")["id"]
    assert world.owner.patch(f"/achievements/{rid}").status_code == 200  # nothing to change


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"),
    ("page=-1", "page"),
    ("page=abc", "page"),
    ("page_size=10000", "page_size"),
    ("page_size=0", "page_size"),
    ("page=99999999999999999999", "page"),
    ("trl_min=0", "trl_min"),
    ("trl_min=8&trl_max=2", "trl_max"),
    ("sort=random", "sort"),
    ("technical_field=magic", "technical_field"),
    ("price_band=free", "price_band"),
    ("transfer_mode=%00", "transfer_mode"),
    ("status=deleted", "status"),
    ("mine=perhaps", "mine"),
    ("org_id=-5", "org_id"),
    ("org_id=99999999999999999999", "org_id"),
])
def test_odd_query_arguments_are_422(world, query, field):
    body = assert_problem(world.anon.get(f"/achievements?{query}"), 422, field)
    assert all(isinstance(m, str) for m in body["errors"][field])


def test_page_size_error_names_the_limit(world):
    body = assert_problem(world.anon.get("/achievements?page_size=10000"), 422, "page_size")
    assert body["errors"]["page_size"] == ["应为 1 到 100 之间的整数"]


def test_unknown_query_arguments_are_ignored(world):
    assert world.anon.get("/achievements?status_draft=1&q=(&x=*a*b*").status_code == 200


@pytest.mark.parametrize("path", [
    "/achievements/99999999999999999999", "/achievements/-1", "/achievements/abc",
    "/achievements/99999999999999999999/submit", "/quality/99999999999", "/review/achievement/1e9/publish",
])
def test_odd_ids_are_404(world, path):
    method = "post" if path.endswith(("submit", "publish")) else "get"
    assert_problem(getattr(world.owner, method)(path), 404)


@pytest.mark.parametrize("kind, field, value", [
    ("demands", "budget_max", "10"),     # below budget_min 50
    ("demands", "deadline", "明天"),
    ("demands", "industry", None),
    ("demands", "cooperation_modes", "licence"),
])
def test_demand_validation(world, kind, field, value):
    assert_problem(world.owner.post(f"/{kind}", json=f.demand_data(**{field: value})), 422, field)


def test_patent_validation(world):
    body = assert_problem(world.owner.post("/patents", json={"number": "ABC", "title": "一种方法", "applicant": "吉大",
                                                            "filing_date": "2020-02-30"}), 422, "number")
    assert body["errors"]["number"] == ["专利号格式不正确，例如 ZL202110123456.7"]
    assert body["errors"]["filing_date"] == ["请输入有效日期（YYYY-MM-DD）"]


def test_method_not_allowed_is_a_problem(world):
    assert_problem(world.owner.request("PATCH", "/achievements", json={}), 405)
