"""Taking a consistent copy of the configured database and putting one back: SQLite through its online backup API,
PostgreSQL through ``pg_dump`` / ``pg_restore`` (custom format) of a matching version."""
from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from .manifest import BackupError

REVISION_TABLE = "alembic_version"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"  # Debian's layout (scripts/postgres-test.sh installs it there)


@dataclass
class Snapshot:
    """A database copy written to ``path`` and what it holds, read in the same snapshot."""
    path: Path
    tool: str
    revision: str
    tables: dict[str, int]
    stored_names: list[str]  # attachments' files


def table_counts(conn: Connection) -> dict[str, int]:
    counts = {}
    for name in sorted(inspect(conn).get_table_names()):
        quoted = conn.dialect.identifier_preparer.quote(name)
        counts[name] = conn.execute(text(f"SELECT count(*) FROM {quoted}")).scalar_one()
    return counts


def revision_of(conn: Connection) -> str:
    if not inspect(conn).has_table(REVISION_TABLE):
        return ""
    return ",".join(sorted(conn.execute(text(f"SELECT version_num FROM {REVISION_TABLE}")).scalars()))


def _stored_names(conn: Connection) -> list[str]:
    if not inspect(conn).has_table("attachments"):
        return []
    return list(conn.execute(text("SELECT stored_name FROM attachments ORDER BY id")).scalars())


def _describe(conn: Connection, snapshot_path: Path, tool: str) -> Snapshot:
    revision = revision_of(conn)
    if not revision:
        raise BackupError("数据库还没有迁移版本（alembic_version 为空）：请先运行 flask db upgrade")
    return Snapshot(snapshot_path, tool, revision, table_counts(conn), _stored_names(conn))


def database_for(engine: Engine) -> SqliteDatabase | PostgresDatabase:
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        return SqliteDatabase(engine)
    if backend == "postgresql":
        return PostgresDatabase(engine)
    raise BackupError(f"不支持备份 {backend} 数据库（只支持 SQLite 和 PostgreSQL）")


class SqliteDatabase:
    kind = "sqlite"
    dump_name = "marketplace.sqlite3"

    def __init__(self, engine: Engine):
        self.engine = engine
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            raise BackupError(f"SQLite 数据库必须是一个文件（现在是 {database!r}）")
        self.path = Path(database)

    def snapshot(self, folder: Path) -> Snapshot:
        """Copy the database with the online backup API: the whole database in one step, that is one read
        transaction, so the copy is consistent while other processes keep writing (they wait at most for that step)."""
        if not self.path.is_file():
            raise BackupError(f"SQLite 数据库文件不存在：{self.path}")
        target = folder / self.dump_name
        source = sqlite3.connect(self.path, timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            source.close()
            copy.close()
        if problem != "ok":
            raise BackupError(f"数据库副本未通过 SQLite 的 quick_check：{problem}")
        return self._describe(target)

    def _describe(self, target: Path) -> Snapshot:
        engine = create_engine(f"sqlite:///{target}", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return _describe(conn, target, f"sqlite3 {sqlite3.sqlite_version}")
        finally:
            engine.dispose()

    def restore(self, dump: Path, tool: str) -> None:
        """Write the copy over the configured database file (page by page, in one transaction)."""
        self.engine.dispose()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(dump)
        target = sqlite3.connect(self.path, timeout=30)
        try:
            source.backup(target)
        except sqlite3.Error as error:
            raise BackupError(f"无法写入 SQLite 数据库 {self.path}：{error}（服务是否仍在运行？恢复前请先停止）") from None
        finally:
            source.close()
            target.close()


class PostgresDatabase:
    kind = "postgresql"
    dump_name = "marketplace.pgdump"

    def __init__(self, engine: Engine):
        self.engine = engine

    # -- the client tools: the server's major version or newer ---------------------------------------------------

    def _server_major(self, conn: Connection) -> int:
        return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000

    @staticmethod
    def _version(binary: str) -> tuple[int, str]:
        try:
            output = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30,
                                    check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError) as error:
            raise BackupError(f"无法运行 {binary}：{error}") from None
        match = re.search(r"(\d+)(?:\.\d+)*", output)
        return (int(match.group(1)) if match else 0), output

    @classmethod
    def find_tool(cls, name: str, major: int) -> tuple[str, str]:
        """``name`` (pg_dump or pg_restore) of version ``major`` or newer: from ``$PG_BIN_DIR``, else Debian's
        ``/usr/lib/postgresql/<major>/bin`` (that version first, then newer ones), else the PATH."""
        candidates = []
        if os.environ.get("PG_BIN_DIR"):
            candidates.append(os.path.join(os.environ["PG_BIN_DIR"], name))
        versioned = sorted((int(Path(d).parent.name), d) for d in glob.glob(PG_BIN_GLOB) if Path(d).parent.name.isdigit())
        candidates += [os.path.join(d, name) for version, d in versioned if version == major]
        candidates += [os.path.join(d, name) for version, d in versioned if version > major]
        if shutil.which(name):
            candidates.append(shutil.which(name))
        found = []
        for binary in candidates:
            if os.access(binary, os.X_OK):
                version, label = cls._version(binary)
                if version >= major:
                    return binary, label
                found.append(label)
        seen = f"（找到的：{'；'.join(found)}）" if found else ""
        raise BackupError(f"找不到版本 ≥ {major} 的 {name}{seen}：请安装 PostgreSQL {major} 的客户端，"
                          "或用 PG_BIN_DIR 指向它的 bin 目录")

    def _libpq(self) -> tuple[str, dict]:
        """The database as a libpq URL without the password, and an environment carrying the password."""
        url = make_url(self.engine.url.render_as_string(hide_password=False))
        env = dict(os.environ)
        if url.password:
            env["PGPASSWORD"] = str(url.password)
        return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env

    @staticmethod
    def _run(command: list[str], env: dict, what: str) -> None:
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise BackupError(f"{what}失败（{Path(command[0]).name} 退出码 {result.returncode}）：\n"
                              f"{result.stderr.strip()[-4000:]}")

    # -- backup and restore --------------------------------------------------------------------------------------

    def snapshot(self, folder: Path) -> Snapshot:
        """``pg_dump`` of a snapshot exported by a repeatable-read transaction, which also counts the rows, reads the
        revision and lists the attachments: all of them see the same committed state, whatever is written meanwhile."""
        target = folder / self.dump_name
        conninfo, env = self._libpq()
        with self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                pg_dump, label = self.find_tool("pg_dump", self._server_major(conn))
                self._run([pg_dump, "--format=custom", f"--snapshot={snapshot_id}", "--no-owner", "--no-privileges",
                           f"--file={target}", f"--dbname={conninfo}"], env, "pg_dump ")
                return _describe(conn, target, label)

    def restore(self, dump: Path, tool: str) -> None:
        """``pg_restore --clean --if-exists`` in one transaction: all or nothing."""
        match = re.search(r"(\d+)", tool)
        with self.engine.connect() as conn:
            major = max(self._server_major(conn), int(match.group(1)) if match else 0)
        self.engine.dispose()
        pg_restore, _label = self.find_tool("pg_restore", major)
        conninfo, env = self._libpq()
        self._run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                   "--exit-on-error", f"--dbname={conninfo}", str(dump)], env, "pg_restore ")
