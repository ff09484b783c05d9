"""Writing a backup archive of the running instance, and restoring one into a fresh instance."""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask

from ..extensions import db
from ..search_admin.dictionaries import SYNONYMS_FILE, USER_DICT_FILE, search_dir
from .databases import database_for, revision_of, table_counts
from .manifest import MANIFEST_NAME, BackupError, FileEntry, Manifest, check_member_name, sha256_of

DICTIONARY_FILES = (SYNONYMS_FILE, USER_DICT_FILE)


def file_roots(app: Flask) -> dict[str, Path]:
    """The instance folders whose files a backup carries, by their folder name in the archive."""
    return {"uploads": Path(app.config["UPLOAD_FOLDER"]), "search": search_dir(app)}


def _compressed(path: Path) -> bool:
    return path.name.endswith((".gz", ".tgz"))


# -- backup -------------------------------------------------------------------------------------------------------

@dataclass
class BackupReport:
    path: Path
    manifest: Manifest
    size: int


def _instance_files(app: Flask, stored_names: list[str]) -> tuple[list[tuple[str, Path]], list[str]]:
    """(archive name, file) of the snapshot's attachments and of the search dictionaries; and the attachment
    files that are missing."""
    roots = file_roots(app)
    present, missing = [], []
    for name in stored_names:
        path = roots["uploads"] / name
        (present.append((f"uploads/{name}", path)) if path.is_file() else missing.append(name))
    for name in DICTIONARY_FILES:
        path = roots["search"] / name
        if path.is_file():
            present.append((f"search/{name}", path))
    return present, missing


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> FileEntry:
    """Add ``path`` as ``name`` and return its size and checksum, both of the bytes that went in."""
    check_member_name(name)
    with open(path, "rb") as handle:
        info = archive.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        archive.addfile(info, handle)
    # Attachments and dictionaries are replaced whole (new name / os.replace), never rewritten in place.
    return FileEntry(path=name, size=info.size, sha256=sha256_of(path))


def create_backup(app: Flask, path: str | Path, force: bool = False) -> BackupReport:
    """Write a backup of ``app``'s database and instance files to ``path`` (not overwriting it unless ``force``).
    The database is copied first, in one consistent snapshot; then the files of that snapshot's attachments."""
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(f"文件已存在：{path}（要覆盖请加 --force）")
    if path.is_dir():
        raise BackupError(f"{path} 是一个目录：请给出备份文件的路径，例如 {path / 'backup.tar'}")
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在：{path.parent}")
    database = database_for(db.engine)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    with tempfile.TemporaryDirectory(prefix="backup-", dir=path.parent) as work:
        snapshot = database.snapshot(Path(work))
        files, missing = _instance_files(app, snapshot.stored_names)
        database_file = f"database/{snapshot.path.name}"
        try:
            with tarfile.open(partial, "w:gz" if _compressed(path) else "w", format=tarfile.PAX_FORMAT) as archive:
                dump = _add_file(archive, database_file, snapshot.path)
                entries = [_add_file(archive, name, file) for name, file in files]
                manifest = Manifest(
                    database_kind=database.kind, database_file=database_file, database_sha256=dump.sha256,
                    database_size=dump.size, tool=snapshot.tool, migration_revision=snapshot.revision,
                    tables=snapshot.tables, files=entries, missing_files=missing)
                raw = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size = len(raw)
                info.mtime = int(Path(work).stat().st_mtime)
                archive.addfile(info, io.BytesIO(raw))
            os.replace(partial, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
    return BackupReport(path, manifest, path.stat().st_size)


# -- restore ------------------------------------------------------------------------------------------------------

@dataclass
class RestoreReport:
    manifest: Manifest
    head: str  # this code's migration head
    replaced: dict[str, int] = field(default_factory=dict)  # rows the database held before (with --force)

    @property
    def needs_upgrade(self) -> bool:
        return self.manifest.migration_revision != self.head


def read_manifest(path: str | Path) -> Manifest:
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.extractfile(MANIFEST_NAME)
            return Manifest.from_json(member.read())
    except KeyError:
        raise BackupError(f"{path} 里没有 {MANIFEST_NAME}：不是本平台的备份，或文件不完整") from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"无法读取备份文件 {path}：{error}") from None


def _migration_head(app: Flask, revision: str) -> str:
    """This code's head; refuses a backup whose revision this code does not know (made by a newer version)."""
    migrate = app.extensions["migrate"]
    scripts = ScriptDirectory.from_config(migrate.migrate.get_config())
    head = ",".join(sorted(scripts.get_heads()))
    for part in revision.split(","):
        try:
            known = scripts.get_revision(part)
        except CommandError:
            known = None
        if known is None:
            raise BackupError(f"备份的迁移版本 {revision} 是本程序（最新版本 {head}）不认识的：它来自更新的程序。"
                              "请先把程序升级到做备份时的版本或更新的版本，再恢复")
    return head


def _existing_data(app: Flask) -> tuple[dict[str, int], list[Path]]:
    """Rows (by table, leaving out the migration revision) and files the target instance already holds."""
    with db.engine.connect() as conn:
        rows = {name: n for name, n in table_counts(conn).items() if n and name != "alembic_version"}
    uploads = file_roots(app)["uploads"]
    files = [p for p in uploads.rglob("*") if p.is_file()] if uploads.is_dir() else []
    files += [p for p in (file_roots(app)["search"] / name for name in DICTIONARY_FILES) if p.is_file()]
    return rows, files


def _refuse_non_empty(rows: dict[str, int], files: list[Path]) -> None:
    parts = [f"{name} {n} 行" for name, n in sorted(rows.items(), key=lambda item: -item[1])[:5]]
    if len(rows) > 5:
        parts.append(f"……共 {len(rows)} 张表有数据")
    if files:
        parts.append(f"{len(files)} 个实例文件（如 {files[0]}）")
    raise BackupError("目标实例不是空的：" + "，".join(parts) + "。恢复会用备份替换数据库中的全部数据，并写入备份中的"
                      "附件文件；请恢复到一个新的实例（新的 INSTANCE_PATH / 空数据库），或确认要覆盖时加 --force")


def _extract(archive: tarfile.TarFile, entry_name: str, size: int, sha256: str, target: Path) -> None:
    try:
        member = archive.getmember(entry_name)
    except KeyError:
        raise BackupError(f"备份中缺少清单所列的文件 {entry_name}") from None
    if not member.isfile():
        raise BackupError(f"备份中的 {entry_name} 不是普通文件")
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.extractfile(member) as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    if target.stat().st_size != size or sha256_of(target) != sha256:
        raise BackupError(f"{entry_name} 的大小或校验和与清单不符：备份文件已损坏")


def restore_backup(app: Flask, path: str | Path, force: bool = False) -> RestoreReport:
    """Restore the backup at ``path`` into ``app``'s database and instance folders. Refuses a non-empty target
    (unless ``force``), a backup of another database kind or of a newer migration revision, and a damaged archive
    (every file is checked against the manifest before anything is replaced). Afterwards the row counts and the
    restored files are checked against the manifest again."""
    manifest = read_manifest(path)
    database = database_for(db.engine)
    if manifest.database_kind != database.kind:
        raise BackupError(f"这是 {manifest.database_kind} 数据库的备份，而本实例配置的是 {database.kind}"
                          "（DATABASE_URL）：只能恢复到同一种数据库")
    head = _migration_head(app, manifest.migration_revision)
    rows, files = _existing_data(app)
    if (rows or files) and not force:
        _refuse_non_empty(rows, files)
    roots = file_roots(app)
    with tarfile.open(path, "r:*") as archive, \
            tempfile.TemporaryDirectory(prefix=".restore-", dir=_ensure(Path(app.instance_path))) as work:
        # 1. everything out of the archive and checked, before anything is replaced
        dump = Path(work) / "database" / Path(manifest.database_file).name
        _extract(archive, manifest.database_file, manifest.database_size, manifest.database_sha256, dump)
        stagings: dict[str, Path] = {}  # per root, a folder beside the final place: moved in by os.replace
        try:
            for entry in manifest.files:
                root, name = entry.path.split("/", 1)
                if root not in stagings:
                    roots[root].mkdir(parents=True, exist_ok=True)
                    stagings[root] = Path(tempfile.mkdtemp(prefix=".restore-", dir=roots[root]))
                _extract(archive, entry.path, entry.size, entry.sha256, stagings[root] / name)
            # 2. the database, then the files
            database.restore(dump, manifest.tool)
            for entry in manifest.files:
                root, name = entry.path.split("/", 1)
                os.replace(stagings[root] / name, roots[root] / name)
        finally:
            for staging in stagings.values():
                shutil.rmtree(staging, ignore_errors=True)
    _verify(app, manifest)
    return RestoreReport(manifest, head, rows)


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _verify(app: Flask, manifest: Manifest) -> None:
    """The restored database and files against the manifest: every table's row count, the revision, every file."""
    db.engine.dispose()
    with db.engine.connect() as conn:
        counts = table_counts(conn)
        revision = revision_of(conn)
    differences = [f"{name}: 备份 {manifest.tables.get(name, '无此表')}，恢复后 {counts.get(name, '无此表')}"
                   for name in sorted(set(counts) | set(manifest.tables)) if counts.get(name) != manifest.tables.get(name)]
    if revision != manifest.migration_revision:
        differences.append(f"迁移版本：备份 {manifest.migration_revision}，恢复后 {revision}")
    roots = file_roots(app)
    for entry in manifest.files:
        root, name = entry.path.split("/", 1)
        target = roots[root] / name
        if not target.is_file() or sha256_of(target) != entry.sha256:
            differences.append(f"文件 {entry.path} 与备份不符")
    if differences:
        raise BackupError("恢复后的检查未通过：\n" + "\n".join(differences))
