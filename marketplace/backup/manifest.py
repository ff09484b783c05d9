"""The backup's ``manifest.json``: what the archive holds and what a restore must find again."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath

FORMAT = "techmarket-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
FILE_ROOTS = ("uploads", "search")  # the archive's folders of instance files (see services.file_roots)


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why and what to do."""


@dataclass
class FileEntry:
    path: str  # in the archive: "<root>/<name>"
    size: int
    sha256: str


@dataclass
class Manifest:
    database_kind: str  # "sqlite" or "postgresql"
    database_file: str  # in the archive
    database_sha256: str
    database_size: int
    tool: str  # "sqlite3 3.40.1" / "pg_dump (PostgreSQL) 15.18"
    migration_revision: str
    tables: dict[str, int]
    files: list[FileEntry] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)  # attachment rows whose file was gone at backup time
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
                            .replace("+00:00", "Z"))
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise BackupError(f"manifest.json 无法解析：{error}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("这不是本平台的备份文件（manifest.json 的 format 不对）")
        version = data.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(f"备份格式版本 {version} 比本程序支持的 {FORMAT_VERSION} 新：请先升级程序再恢复")
        try:
            data["files"] = [FileEntry(**entry) for entry in data.get("files", [])]
            manifest = cls(**data)
        except TypeError as error:
            raise BackupError(f"manifest.json 缺少或多出字段：{error}") from None
        for name in [manifest.database_file] + [entry.path for entry in manifest.files]:
            check_member_name(name)
        return manifest


def check_member_name(name: str) -> None:
    """Refuse archive names that would leave their folder (absolute paths, ``..``)."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) != 2 or \
            path.parts[0] not in FILE_ROOTS + ("database",):
        raise BackupError(f"备份中的文件名不安全或不认识：{name!r}")


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
