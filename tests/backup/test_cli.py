"""``flask backup`` and ``flask restore`` refusals: an existing file, a non-empty instance, a newer migration revision,
another database kind, a damaged archive; none of them changes anything."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect

from marketplace.accounts.models import Organization
from marketplace.attachments.services import add_attachment
from marketplace.extensions import db
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def archive(app, ctx, runner, tmp_path):
    """A backup of an instance holding one organisation with a draft carrying an attachment."""
    owner = f.user(f.organization(name="被备份的大学"), role="org_admin")
    add_attachment(owner, f.achievement(owner), io.BytesIO(PDF), "方案.pdf")
    db.session.commit()
    path = tmp_path / "backup.tar"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _rewrite(source, target, change) -> None:
    """Copy the archive ``source`` to ``target``, each member's bytes passed through ``change(name, data)``."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = change(member.name, old.extractfile(member).read())
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def _restore(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["restore", *map(str, args)])


def _tables(app) -> list[str]:
    with app.app_context():
        return inspect(db.engine).get_table_names()


def test_backup_refuses_to_overwrite_a_file_unless_forced(archive, runner, tmp_path):
    before = archive.read_bytes()
    refused = runner.invoke(args=["backup", str(archive)])
    assert refused.exit_code == 1 and "文件已存在" in refused.output and "--force" in refused.output
    assert archive.read_bytes() == before
    assert runner.invoke(args=["backup", str(archive), "--force"]).exit_code == 0
    missing = runner.invoke(args=["backup", str(tmp_path / "nowhere" / "backup.tar")])
    assert missing.exit_code == 1 and "目录不存在" in missing.output


def test_a_compressed_backup_restores(archive, runner, fresh_instance, tmp_path):
    compressed = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(compressed)]).exit_code == 0
    with tarfile.open(compressed, "r:gz") as opened:
        assert "manifest.json" in opened.getnames()
    restored = fresh_instance()
    result = _restore(restored, compressed)
    assert result.exit_code == 0, result.output
    assert "flask search reindex" in result.output
    with restored.app_context():
        assert db.session.scalars(db.select(Organization.name)).all() == ["被备份的大学"]


def test_restore_refuses_a_non_empty_instance_unless_forced(archive, app, fresh_instance):
    refused = _restore(app, archive)  # the instance the backup came from, which has data
    assert refused.exit_code == 1
    assert "不是空的" in refused.output and "张表有数据" in refused.output and "--force" in refused.output

    restored = fresh_instance()
    with restored.app_context():
        upgrade()
        f.organization(name="将被替换的机构")
        db.session.commit()
    assert _restore(restored, archive).exit_code == 1
    forced = _restore(restored, archive, "--force")
    assert forced.exit_code == 0, forced.output
    assert "替换了原有数据" in forced.output
    with restored.app_context():
        assert db.session.scalars(db.select(Organization.name)).all() == ["被备份的大学"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("migration_revision", "ffffffffffff", "来自更新的程序"),
    ("database_kind", "oracle", "只能恢复到同一种数据库"),
    ("format_version", 99, "请先升级程序"),
])
def test_restore_refuses_a_backup_it_cannot_restore(archive, fresh_instance, tmp_path, field, value, message):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest[field] = value
        return json.dumps(manifest).encode()

    _rewrite(archive, tmp_path / "changed.tar", change)
    restored = fresh_instance()
    result = _restore(restored, tmp_path / "changed.tar")
    assert result.exit_code == 1 and message in result.output, result.output
    assert _tables(restored) == []


def test_restore_refuses_a_damaged_archive_before_replacing_anything(archive, fresh_instance, tmp_path):
    _rewrite(archive, tmp_path / "damaged.tar",
             lambda name, data: data.replace(b"endobj", b"ENDOBJ") if name.startswith("uploads/") else data)
    restored = fresh_instance()
    result = _restore(restored, tmp_path / "damaged.tar")
    assert result.exit_code == 1 and "校验和" in result.output and "已损坏" in result.output, result.output
    assert _tables(restored) == []
    uploads = Path(restored.config["UPLOAD_FOLDER"])
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_restore_of_a_file_that_is_no_backup(fresh_instance, tmp_path):
    other = tmp_path / "notes.tar"
    with tarfile.open(other, "w") as archive:
        archive.addfile(tarfile.TarInfo("notes.txt"), io.BytesIO(b""))
    (tmp_path / "text.tar").write_text("not an archive")
    restored = fresh_instance()
    assert "不是本平台的备份" in _restore(restored, other).output
    assert "无法读取备份文件" in _restore(restored, tmp_path / "text.tar").output
