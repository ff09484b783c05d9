"""``flask achievements import`` / ``export``: formats, field mapping, per-row errors, idempotency, round trips."""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from marketplace.records import visible_filter
from marketplace.accounts.auth import Anonymous
from marketplace.achievements.exporter import count_achievements
from marketplace.achievements.io_formats import read_csv, split_list
from marketplace.achievements.mapping import technical_field_for, title_from_abstract
from marketplace.achievements.models import Achievement
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from marketplace.indexing.models import OutboxEntry
from tests import factories
from tests.conftest import SHARED

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ORG = "吉林测试大学"


@pytest.fixture
def org(app):
    with app.app_context():
        record = factories.organization(name=ORG, region="220000")
        db.session.commit()
        return record.id


def achievements(app, **where) -> list[Achievement]:
    with app.app_context():
        query = db.select(Achievement).order_by(Achievement.external_id)
        for key, value in where.items():
            query = query.where(getattr(Achievement, key) == value)
        rows = list(db.session.execute(query).scalars())
        db.session.expunge_all()
        return rows


def xlsx_from_csv(source: Path, target: Path) -> Path:
    """The CSV fixture as a workbook, numbers as numeric cells (as Excel users would have them)."""
    workbook = Workbook()
    sheet = workbook.active
    with open(source, encoding="utf-8-sig", newline="") as handle:
        for i, row in enumerate(csv.reader(handle)):
            sheet.append([float(v) if i and v.replace(".", "", 1).isdigit() else (v or None) for v in row])
    workbook.save(target)
    return target


def run_import(runner, path, *args):
    return runner.invoke(args=["achievements", "import", str(path), *args])


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_import_good_file_maps_every_field(app, runner, org, tmp_path, fmt):
    source = {"jsonl": FIXTURES / "achievements_good.jsonl", "csv": FIXTURES / "achievements_good.csv",
              "xlsx": xlsx_from_csv(FIXTURES / "achievements_good.csv", tmp_path / "good.xlsx")}[fmt]
    result = run_import(runner, source, "--org", ORG)
    assert result.exit_code == 0, result.output
    assert "新增 3" in result.output and "失败 0 行" in result.output

    first, second, third = achievements(app)
    assert first.external_id == "JL-2024-001" and first.org_id == org and first.status == "draft"
    assert first.keywords == ["秸秆还田", "腐熟菌剂", "低温"]
    assert first.transfer_modes == ["licence", "assignment"]
    assert first.trl == 7 and first.price_amount == Decimal("80") and first.owner_id is None
    assert second.technical_field == "ai"  # a Chinese label is accepted for a code
    assert second.keywords == ["X射线", "缺陷检测", "深度学习"]
    assert second.industries == ["automotive", "manufacturing"]
    assert second.price_amount is None and second.negotiable  # 面议 / null
    assert second.region == "220000"  # the organisation's region when the row has none
    assert third.price_amount == Decimal("300.50") and third.technical_field == "biomedicine"
    assert third.transfer_modes == ["assignment"] and third.ip_type == "invention_patent"
    with app.app_context():
        kinds = db.session.execute(db.select(OutboxEntry.kind, OutboxEntry.record_id)).all()
        assert {(k, r) for k, r in kinds} >= {("achievement", a.id) for a in (first, second, third)}


def test_bad_rows_are_reported_and_good_rows_saved(app, runner, org, tmp_path):
    report = tmp_path / "errors.csv"
    result = run_import(runner, FIXTURES / "achievements_bad.csv", "--org", ORG, "--batch-size", "2",
                        "--report", str(report))
    assert result.exit_code == 0, result.output
    assert [a.external_id for a in achievements(app)] == ["BAD-001", "BAD-005"]
    assert "新增 2" in result.output and "失败 3 行" in result.output
    assert "长度应在 4 到 200 个字符之间" in result.output  # the table at the end

    with open(report, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["行号", "字段", "错误信息"]
    errors = {(int(r[0]), r[1]): r[2] for r in rows[1:]}
    assert errors[(3, "title")] == "长度应在 4 到 200 个字符之间"  # spreadsheet row: header is row 1
    assert errors[(4, "trl")] == "应为 1 到 9 之间的整数"
    assert errors[(5, "technical_field")] == "无效的技术领域：quantum_magic"
    assert errors[(5, "transfer_modes[0]")] == "无效的转化方式：barter"
    assert errors[(5, "price_amount")] == "请输入有效的金额（单位：万元）"


def test_all_rows_bad_exits_nonzero(runner, org, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "x"}\nnot json\n', encoding="utf-8")
    result = run_import(runner, path, "--org", ORG)
    assert result.exit_code == 1
    assert "不是有效的 JSON" in result.output and "此项为必填项" in result.output


def test_reimport_updates_and_never_duplicates(app, runner, org, tmp_path):
    assert run_import(runner, FIXTURES / "achievements_good.jsonl", "--org", ORG).exit_code == 0
    before = {a.external_id: (a.id, a.version) for a in achievements(app)}

    again = run_import(runner, FIXTURES / "achievements_good.jsonl", "--org", ORG)
    assert "新增 0，更新 0，未变化 3" in again.output
    changed = tmp_path / "changed.jsonl"
    lines = (FIXTURES / "achievements_good.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["title"] = "玉米秸秆低温快速腐熟菌剂（第二代）"
    changed.write_text("\n".join([json.dumps(record, ensure_ascii=False), *lines[1:]]), encoding="utf-8")
    result = run_import(runner, changed, "--org", ORG)
    assert "新增 0，更新 1，未变化 2" in result.output

    after = {a.external_id: (a.id, a.version) for a in achievements(app)}
    assert after.keys() == before.keys()
    assert after["JL-2024-001"] == (before["JL-2024-001"][0], before["JL-2024-001"][1] + 1)
    assert after["JL-2024-002"] == before["JL-2024-002"]
    assert achievements(app, external_id="JL-2024-001")[0].title.endswith("（第二代）")


def test_same_external_id_in_another_org_is_another_record(app, runner, org):
    with app.app_context():
        factories.organization(name="另一所大学")
        db.session.commit()
    run_import(runner, FIXTURES / "achievements_good.jsonl", "--org", ORG)
    run_import(runner, FIXTURES / "achievements_good.jsonl", "--org", "另一所大学")
    assert len(achievements(app)) == 6


def test_dry_run_writes_nothing(app, runner, org):
    result = run_import(runner, FIXTURES / "achievements_bad.csv", "--org", ORG, "--dry-run")
    assert "试运行" in result.output and "新增 2" in result.output
    assert achievements(app) == []


def test_unknown_org_needs_create_org(app, runner, tmp_path):
    result = run_import(runner, FIXTURES / "achievements_good.jsonl", "--org", "不存在的研究院")
    assert result.exit_code != 0 and "机构不存在" in result.output
    result = run_import(runner, FIXTURES / "achievements_good.jsonl", "--org", "新建研究院", "--create-org", "institute")
    assert result.exit_code == 0, result.output
    assert len(achievements(app)) == 3


def test_patent_numbers_link_the_orgs_patents(app, runner, org, tmp_path):
    with app.app_context():
        owner = factories.user(db.session.get(factories.Organization, org))
        factories.patent(owner, number="ZL202110123456.7")
        db.session.commit()
    path = tmp_path / "p.jsonl"
    base = json.loads((FIXTURES / "achievements_good.jsonl").read_text(encoding="utf-8").splitlines()[0])
    rows = [dict(base, patent_numbers=["ZL202110123456.7"]),
            dict(base, external_id="X-2", patent_numbers="ZL209999999999.9")]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = run_import(runner, path, "--org", ORG)
    assert "本机构未登记该专利号：ZL209999999999.9" in result.output
    with app.app_context():
        linked = db.session.execute(db.select(Achievement)).scalar_one()
        assert [p.number for p in linked.patents] == ["ZL202110123456.7"]


@pytest.mark.skipif(not (SHARED / "data" / "csl_benchmark_full.jsonl").exists(), reason="shared corpus missing")
def test_csl_records_are_published_and_visible(app, runner, tmp_path):
    path = tmp_path / "csl.jsonl"
    with open(SHARED / "data" / "csl_benchmark_full.jsonl", encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(60)]
    with open(SHARED / "data" / "fewclue_csldcp.jsonl", encoding="utf-8") as handle:
        lines += [next(handle) for _ in range(5)]
    path.write_text("".join(lines), encoding="utf-8")
    result = run_import(runner, path, "--org", "CSL文献", "--create-org", "institute", "--publish",
                        "--batch-size", "25")
    assert result.exit_code == 0, result.output
    assert "新增 65" in result.output

    records = {a.external_id: a for a in achievements(app)}
    first = records["csl-dev-0001"]
    assert first.title == "一种基于平方和优化的飞行器大角度机动镇定控制器设计方法"
    assert first.summary.startswith("采用修正的Rodrigues参数(MRP)")
    assert first.keywords == ["修正Rodrigues参数模型", "平方和优化", "大角度机动", "Lyapunov函数"]
    assert first.discipline == "工学/兵器科学与技术" and first.technical_field == "equipment"
    assert first.status == "published" and first.published_at is not None
    fewclue = records["csldcp-train_few_all-0001"]
    assert fewclue.title == "本文研究了贵州东南部的天柱、锦屏和黎平地区的地质构造特征、该区金矿床特征及其与地质构造的关系"
    assert fewclue.discipline.startswith("理学/") and fewclue.technical_field == "mining"
    assert all(a.technical_field for a in records.values())
    with app.app_context():
        visible = db.session.execute(db.select(db.func.count()).select_from(Achievement).where(
            visible_filter(Achievement, Anonymous()))).scalar_one()
        assert visible == 65
        events = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "achievement.import")).scalars()
        assert len(list(events)) == 3  # one per batch, not one per row


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_export_then_import_round_trips(app, runner, org, tmp_path, fmt):
    run_import(runner, FIXTURES / "achievements_good.jsonl", "--org", ORG, "--publish")
    exported = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["achievements", "export", str(exported), "--org", ORG])
    assert result.exit_code == 0, result.output
    assert "已导出 3 条" in result.output
    with app.app_context():
        factories.organization(name="镜像机构")
        db.session.commit()
    result = run_import(runner, exported, "--org", "镜像机构")
    assert "新增 3" in result.output and "失败 0 行" in result.output, result.output

    fields = ["external_id", "title", "summary", "keywords", "technical_field", "industries", "trl", "ip_type",
              "transfer_modes", "price_amount", "benefits", "region", "contact"]
    original = [[getattr(a, f) for f in fields] for a in achievements(app, org_id=org)]
    copies = [a for a in achievements(app) if a.org_id != org]
    assert [[getattr(a, f) for f in fields] for a in copies] == original
    # Without --org the org column of the export decides: everything is already there and unchanged.
    assert "新增 0，更新 0，未变化 3" in run_import(runner, exported).output


def test_export_filters_by_status_and_writes_xlsx_header(app, runner, org, tmp_path):
    run_import(runner, FIXTURES / "achievements_good.jsonl", "--org", ORG)
    published_only = tmp_path / "p.xlsx"
    runner.invoke(args=["achievements", "export", str(published_only)])
    assert load_workbook(published_only).active.max_row == 1  # drafts are not exported by default
    everything = tmp_path / "all.xlsx"
    runner.invoke(args=["achievements", "export", str(everything), "--status", "all"])
    sheet = load_workbook(everything).active
    assert sheet.max_row == 4 and sheet["A1"].value == "external_id"
    with app.app_context():
        assert count_achievements(None, "all") == 3 and count_achievements(None, "published") == 0


def test_csv_lists_keep_values_that_contain_separators(tmp_path):
    from marketplace.achievements.io_formats import write_csv

    path = tmp_path / "l.csv"
    write_csv(path, ["keywords"], [{"keywords": ["船舶、舰船工程"]}, {"keywords": ["船舶、舰船工程", "柴油机"]}])
    assert [split_list(r["keywords"]) for _, r in read_csv(path)] == [["船舶、舰船工程"], ["船舶、舰船工程", "柴油机"]]
    assert split_list("a，b、c") == ["a", "b", "c"] and split_list("a|b") == ["a", "b"]


def test_mapping_helpers():
    assert technical_field_for("工学", "材料科学与工程") == "new_materials"
    assert technical_field_for("工学", "计算机科学与技术", "基于深度学习的图像识别") == "ai"
    assert technical_field_for("工学", "计算机科学与技术", "数据库查询优化") == "electronics"
    assert technical_field_for("农学", "作物学") == "agriculture"
    assert technical_field_for("医学", None) == "biomedicine"
    assert technical_field_for("哲学", "哲学") == "other"
    assert title_from_abstract("针对3.5 GHz频段的天线设计.结果表明有效") == "针对3.5 GHz频段的天线设计"
    long_title = title_from_abstract("很" * 100)
    assert len(long_title) == 60 and long_title.endswith("…")
