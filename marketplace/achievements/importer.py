"""Bulk import of achievements: validate every row with :class:`AchievementInput`, write in batches.

The importer acts as the system (no user): records belong to the chosen organisation (or to the organisation each
row names), have no owner, and start as drafts unless ``publish`` is set. Rows are matched on the external id within
their organisation, so importing the same file again updates what is there and never duplicates it.

Speed comes from doing per batch what a form does per record: the organisation's existing external ids and patent
numbers are read once, existing records are loaded with one query per batch, and each batch is one flush and one
commit with one audit event. A batch that the database refuses is retried row by row, so a bad row never takes good
rows (or earlier batches) with it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..accounts.models import Organization
from ..audit.services import record as audit
from ..extensions import db
from ..listing_edits import propose
from ..listings import DRAFT, PUBLISHED
from ..workflow import SYSTEM
from ..workflow.listings import ACHIEVEMENT as LIFECYCLE
from ..patents.models import Patent
from ..timeutil import utcnow
from .mapping import normalise_record
from .models import Achievement
from .schemas import AchievementInput
from .services import EDITOR

BATCH_SIZE = 1000  # rows per transaction (one commit, one audit event)
# Rows per flush inside a transaction: the after-flush outbox listener scans ``session.new`` once per object, so a
# flush costs O(n²) in its size; small flushes keep that negligible while commits stay few.
FLUSH_EVERY = 200
FIELDS = [name for name in AchievementInput._declared_fields if name != "patent_ids"]

FIELD_LABELS = {
    "external_id": "外部编号", "title": "成果名称", "summary": "摘要", "description": "详细介绍", "keywords": "关键词",
    "technical_field": "技术领域", "discipline": "学科", "industries": "应用行业", "trl": "技术成熟度",
    "ip_type": "知识产权类型", "transfer_modes": "转化方式", "price_amount": "价格（万元）", "benefits": "技术优势",
    "team": "团队", "region": "地区", "contact": "联系方式", "patent_numbers": "关联专利", "org": "所属机构",
    "_row": "整行", "_schema": "整行",
}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    @property
    def field_label(self) -> str:
        base = self.field.split("[", 1)[0]
        label = FIELD_LABELS.get(base)
        return f"{self.field}（{label}）" if label and base not in ("_row", "_schema") else (label or self.field)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed_rows(self) -> int:
        return len({error.row for error in self.errors})

    @property
    def saved(self) -> int:
        return self.created + self.updated + self.unchanged


def _flatten(messages, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as (field, message) pairs; list items become ``keywords[2]``."""
    if isinstance(messages, str):
        return [(prefix or "_row", messages)]
    if isinstance(messages, list):
        return [pair for item in messages for pair in _flatten(item, prefix)]
    pairs = []
    for key, value in messages.items():
        name = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
        pairs.extend(_flatten(value, name))
    return pairs


class _OrgState:
    """What the importer knows about one organisation: its row and the ids it already holds."""

    def __init__(self, org: Organization):
        self.org = org
        self.id = org.id
        self.name = org.name
        self.region = org.region
        self.external_ids: dict[str, int] = dict(db.session.execute(
            db.select(Achievement.external_id, Achievement.id).where(
                Achievement.org_id == org.id, Achievement.external_id.is_not(None))).all())
        self._patents: dict[str, int] | None = None

    def patent_ids(self) -> dict[str, int]:
        if self._patents is None:
            self._patents = dict(db.session.execute(
                db.select(Patent.number, Patent.id).where(Patent.org_id == self.id)).all())
        return self._patents


@dataclass
class _Row:
    number: int
    state: _OrgState
    values: dict
    patent_ids: list[int] | None


class AchievementImporter:
    """Imports records into ``org`` (or into the organisation each row names when ``org`` is None)."""

    def __init__(self, org: Organization | None = None, *, publish: bool = False, dry_run: bool = False,
                 batch_size: int = BATCH_SIZE, source: str | None = None):
        self.publish = publish
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.source = source
        self.schema = AchievementInput()
        self.report = ImportReport(dry_run=dry_run)
        self._states: dict[str, _OrgState | None] = {}
        self._default = self._state_for(org) if org is not None else None
        self._pending: list[_Row] = []
        self._seen: dict[tuple[int, str], int] = {}  # (org, external id) → first row, for dry runs

    # -- organisations -------------------------------------------------------------------------------------------
    def _state_for(self, org: Organization) -> _OrgState:
        if org.name not in self._states:
            self._states[org.name] = _OrgState(org)
        return self._states[org.name]

    def _state_named(self, name) -> _OrgState | None:
        name = str(name or "").strip()
        if name not in self._states:
            org = db.session.execute(db.select(Organization).where(Organization.name == name)).scalar_one_or_none()
            self._states[name] = _OrgState(org) if org is not None else None
        return self._states[name]

    # -- rows ----------------------------------------------------------------------------------------------------
    def _error(self, number: int, field_name: str, message: str) -> None:
        self.report.errors.append(RowError(number, field_name, message))

    def _prepare(self, number: int, raw: dict) -> _Row | None:
        """Validate one raw record; returns what to write, or None after recording its errors."""
        if "_error" in raw:
            self._error(number, "_row", raw["_error"])
            return None
        data = normalise_record(raw)
        state = self._default
        if state is None:
            state = self._state_named(data.get("org"))
            if state is None:
                message = f"机构不存在：{data.get('org')}" if data.get("org") else "请用 --org 指定机构，或在文件中提供 org 列"
                self._error(number, "org", message)
                return None
        numbers = data.pop("patent_numbers", None) or []
        try:
            values = self.schema.load(data)
        except ValidationError as error:
            for field_name, message in _flatten(error.messages):
                self._error(number, field_name, message)
            return None
        patent_ids = None
        if numbers:
            known = state.patent_ids()
            missing = [n for n in numbers if str(n).strip().upper().replace(" ", "") not in known]
            if missing:
                self._error(number, "patent_numbers", f"本机构未登记该专利号：{'、'.join(map(str, missing))}")
                return None
            patent_ids = [known[str(n).strip().upper().replace(" ", "")] for n in numbers]
        values.pop("patent_ids", None)
        return _Row(number, state, values, patent_ids)

    def add(self, number: int, raw: dict) -> None:
        """Take one raw record; full batches are written as they fill."""
        self.report.rows += 1
        row = self._prepare(number, raw)
        if row is None:
            return
        if self.dry_run:
            self._count_dry(row)
            return
        self._pending.append(row)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def _count_dry(self, row: _Row) -> None:
        external_id = row.values.get("external_id")
        key = (row.state.id, external_id)
        if external_id and (external_id in row.state.external_ids or key in self._seen):
            self.report.updated += 1
        else:
            self.report.created += 1
            if external_id:
                self._seen[key] = row.number

    # -- writing -------------------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write the pending rows as one transaction (row by row if the database refuses the batch)."""
        rows, self._pending = self._pending, []
        if not rows:
            return
        try:
            counts, new_ids = self._write(rows)
        except (IntegrityError, DBAPIError):
            db.session.rollback()
            for row in rows:
                try:
                    counts, new_ids = self._write([row])
                except (IntegrityError, DBAPIError) as error:
                    db.session.rollback()
                    self._error(row.number, "_row", f"数据库拒绝保存该行：{type(error.orig).__name__}")
                    continue
                self._tally(counts, new_ids)
            return
        self._tally(counts, new_ids)

    def _tally(self, counts: dict, new_ids: dict) -> None:
        self.report.created += counts["created"]
        self.report.updated += counts["updated"]
        self.report.unchanged += counts["unchanged"]
        for (state, external_id), record_id in new_ids.items():
            state.external_ids[external_id] = record_id

    def _write(self, rows: list[_Row]) -> tuple[dict, dict]:
        now = utcnow()
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        existing_ids = {row.state.external_ids[row.values["external_id"]] for row in rows
                        if row.values.get("external_id") in row.state.external_ids}
        existing = {a.id: a for a in db.session.execute(
            db.select(Achievement).where(Achievement.id.in_(existing_ids))).scalars()} if existing_ids else {}
        batch_new: dict[tuple[_OrgState, str], Achievement] = {}
        patents: dict[int, Patent] = {}
        if any(row.patent_ids for row in rows):
            wanted = {pid for row in rows for pid in row.patent_ids or ()}
            patents = {p.id: p for p in db.session.execute(db.select(Patent).where(Patent.id.in_(wanted))).scalars()}
        orgs = set()
        to_publish: list[Achievement] = []
        for position, row in enumerate(rows, start=1):
            if position % FLUSH_EVERY == 0:
                db.session.flush()
            external_id = row.values.get("external_id")
            record = None
            if external_id:
                record = batch_new.get((row.state, external_id))
                if record is None and external_id in row.state.external_ids:
                    record = existing.get(row.state.external_ids[external_id])
            if record is not None and not LIFECYCLE.can(SYSTEM, record, "edit"):
                # the same rule as every other path: a listing under review, archived or closed is not edited
                self._error(row.number, "_row", LIFECYCLE.conflict_message(SYSTEM, record,
                                                                           LIFECYCLE.transition("edit")))
                continue
            if record is None:
                # the organisation itself, not only its id: publishing checks that it is verified before the flush
                record = Achievement(org_id=row.state.id, organization=row.state.org, owner_id=None, status=DRAFT,
                                     created_at=now, updated_at=now, **{k: v for k, v in row.values.items() if k in FIELDS})
                if record.region is None:
                    record.region = row.state.region
                db.session.add(record)
                if external_id:
                    batch_new[(row.state, external_id)] = record
                counts["created"] += 1
            elif record.status == PUBLISHED and not self.publish:
                # a published listing keeps its approved version: the import's changes wait for review
                values = dict(row.values)
                if row.patent_ids is not None:
                    values["patent_ids"] = row.patent_ids
                before = record.pending_revision.changes if record.pending_revision is not None else None
                propose(SYSTEM, EDITOR, record, values)
                after = record.pending_revision.changes if record.pending_revision is not None else None
                counts["updated" if after != before else "unchanged"] += 1
                orgs.add(row.state)
                continue
            else:
                changed = self._apply(record, row.values)
                counts["updated" if changed or (self.publish and record.status != PUBLISHED) else "unchanged"] += 1
            if row.patent_ids is not None:
                wanted_patents = [patents[pid] for pid in row.patent_ids]
                if record.id is None or {p.id for p in record.patents} != set(row.patent_ids):
                    record.patents = wanted_patents
            if self.publish and record.status != PUBLISHED:
                # the declared lifecycle, as the system: submitted, then published (before the flush, so a new
                # record is inserted published rather than inserted and updated)
                LIFECYCLE.apply(SYSTEM, record, "submit", audit_each=False)
                LIFECYCLE.apply(SYSTEM, record, "publish", audit_each=False)
                to_publish.append(record)
            orgs.add(row.state)
        db.session.flush()
        published = {}
        for record in to_publish:  # the batch's audit event names every listing it published
            published.setdefault(record.org_id, []).append(record.id)
        new_ids = {key: record.id for key, record in batch_new.items()}  # read before commit expires them
        for state in orgs:
            audit(None, "achievement.import", state.org, {
                "source": self.source, "rows": [rows[0].number, rows[-1].number], "publish": self.publish, **counts,
                "published_ids": published.get(state.id, [])})
        db.session.commit()
        return counts, new_ids

    @staticmethod
    def _apply(record: Achievement, values: dict) -> bool:
        changed = False
        for key in FIELDS:
            if key in values and getattr(record, key) != values[key]:
                setattr(record, key, values[key])
                changed = True
        if changed:
            record.updated_at = utcnow()
        return changed

    def finish(self) -> ImportReport:
        """Write what is still pending and return the report."""
        if not self.dry_run:
            self.flush()
        return self.report


def import_achievements(records: Iterable[tuple[int, dict]], org: Organization | None = None, *,
                        publish: bool = False, dry_run: bool = False, batch_size: int = BATCH_SIZE,
                        source: str | None = None, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import ``(row_number, record)`` pairs (see :mod:`.io_formats`); returns counts and per-row errors.

    Commits every ``batch_size`` good rows, so rows saved before a failure stay saved.
    """
    importer = AchievementImporter(org, publish=publish, dry_run=dry_run, batch_size=batch_size, source=source)
    for number, raw in records:
        importer.add(number, raw)
        if progress is not None:
            progress(1)
    return importer.finish()
