"""Drill: a bulk import killed (SIGKILL) half-way through its file leaves only whole batches; importing the same
file again finishes the job without a duplicate, and the search index then matches the database."""
from __future__ import annotations

import json
import os
import signal
from datetime import date

from marketplace.deals.registration_export import batch_deals, batch_filters, export_deals
from marketplace.extensions import db
from marketplace.workflow import SYSTEM
from tests.deals.registration_data import deal

from .conftest import wait_until

ACHIEVEMENT_ROWS, ACHIEVEMENT_BATCH = 1200, 200
DEAL_ROWS, DEAL_BATCH = 400, 100  # DEAL_BATCH: marketplace.deals.importer.BATCH_SIZE
FIELDS = ["new_materials", "biomedicine", "electronics", "new_energy", "equipment"]
WORDS = ["锂电池正极材料", "高效催化剂", "智能传感器", "污水深度处理", "激光精密加工", "农作物育种", "储能系统"]


def _achievements_file(path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for i in range(ACHIEVEMENT_ROWS):
            word = WORDS[i % len(WORDS)]
            out.write(json.dumps({
                "external_id": f"drill-{i:05d}", "title": f"{word}关键技术研究（第{i}号）",
                "summary": f"面向{word}的工程化应用，第{i}号成果，完成中试验证，可许可或合作开发。",
                "technical_field": FIELDS[i % len(FIELDS)], "keywords": [word, "演练"], "trl": 5,
            }, ensure_ascii=False) + "\n")


def _killed_when(drill, process, count_sql: str, total: int) -> int:
    """SIGKILL ``process`` once the database holds some but not all of its rows; the count at that moment."""
    wait_until(lambda: drill.scalar(count_sql) > 0 or process.poll() is not None, 120, "the import wrote nothing")
    assert process.poll() is None, "the import finished before it could be killed: " + drill.log("import")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    count = drill.scalar(count_sql)
    assert 0 < count < total
    return count


def test_achievement_import_killed_mid_file_then_run_again(drill):
    source = drill.instance / "achievements.jsonl"
    _achievements_file(source)
    command = ["achievements", "import", str(source), "--org", "演练大学", "--create-org", "university", "--publish",
               "--batch-size", str(ACHIEVEMENT_BATCH)]
    importer = drill.start_flask(*command, log="import")
    count_sql = "SELECT count(*) FROM achievements"
    written = _killed_when(drill, importer, count_sql, ACHIEVEMENT_ROWS)

    drill.assert_intact()
    assert written % ACHIEVEMENT_BATCH == 0  # whole batches only
    # each written batch is whole: its rows published, one outbox row per record, one import event
    assert drill.scalar("SELECT count(*) FROM achievements WHERE status != 'published'") == 0
    assert drill.scalar("SELECT count(DISTINCT record_id) FROM search_outbox WHERE kind = 'achievement'") == written
    assert drill.scalar("SELECT count(*) FROM audit_events WHERE action = 'achievement.import'") == \
        written // ACHIEVEMENT_BATCH

    again = drill.flask(*command)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"新增 {ACHIEVEMENT_ROWS - written}" in again.stdout and f"未变化 {written}" in again.stdout
    assert drill.scalar(count_sql) == ACHIEVEMENT_ROWS
    assert drill.scalar("SELECT count(DISTINCT external_id) FROM achievements") == ACHIEVEMENT_ROWS

    drained = drill.flask("search", "drain")
    assert drained.returncode == 0, drained.stdout + drained.stderr
    drill.assert_index_matches_database()


def test_deal_import_killed_mid_file_then_run_again(drill):
    source = drill.instance / "deals.jsonl"
    with drill.app.test_request_context():  # one contract recorded, exported, then copied with new keys
        deal(payments=[(date(2025, 4, 1), "50", "首期款")])
        db.session.commit()
        export_deals(str(drill.instance / "one.jsonl"), batch_deals(SYSTEM, batch_filters({})), "jsonl")
        db.session.remove()
    base = json.loads((drill.instance / "one.jsonl").read_text(encoding="utf-8").splitlines()[0])
    with open(source, "w", encoding="utf-8") as out:
        for i in range(DEAL_ROWS):
            out.write(json.dumps({**base, "external_id": f"DRILL-{i:05d}", "name": f"{base['name']}（第{i}号）",
                                  "registration_number": None}, ensure_ascii=False) + "\n")
    count_sql = "SELECT count(*) FROM deals WHERE external_id IS NOT NULL"
    importer = drill.start_flask("deals", "import", str(source), log="import")
    written = _killed_when(drill, importer, count_sql, DEAL_ROWS)

    drill.assert_intact()
    assert written % DEAL_BATCH == 0
    parties = drill.query("SELECT count(p.id) FROM deals d LEFT JOIN deal_parties p ON p.deal_id = d.id "
                          "WHERE d.external_id IS NOT NULL GROUP BY d.id")
    assert {row[0] for row in parties} == {2}  # each contract with its seller and buyer
    assert drill.scalar("SELECT count(*) FROM deal_payments p JOIN deals d ON d.id = p.deal_id "
                        "WHERE d.external_id IS NOT NULL") == written

    again = drill.flask("deals", "import", str(source))
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"新增 {DEAL_ROWS - written}" in again.stdout and f"未变化 {written}" in again.stdout
    assert drill.scalar(count_sql) == DEAL_ROWS
    assert drill.scalar("SELECT count(DISTINCT external_id) FROM deals") == DEAL_ROWS
