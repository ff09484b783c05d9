"""Bulk import of existing technology-contract records (a market bringing its history in): XLSX and CSV in the
registration form's layout (:mod:`.registration_form`), and JSON Lines with the same keys.

Every row is validated with :class:`~.contract_input.ContractInput` and created with :func:`~.services.record_deal`
as the importing actor (a broker or admin on the page and the API, :data:`~marketplace.workflow.SYSTEM` from the
CLI); registration status, number and date are applied through the DEAL lifecycle (``register``, ``refuse``,
``resubmit``) as that actor.

Idempotent: a row is matched on its 合同登记编号, else on its 外部编号 (external id). A matched deal is updated when
its fields differ and the lifecycle still lets the actor ``edit`` it (待登记 / 不予登记); a registered contract whose
fields differ is reported as skipped and left as it was; a row equal to its deal is counted unchanged. Nothing is
ever duplicated through a key. A row with neither key is matched on what identifies a contract without one —
项目名称, 签订日期, 合同类别, 成交额 and both parties' names — so re-importing the same file does not duplicate it
either; but a corrected row without a key (say, another amount) no longer matches and becomes a second record:
give such rows a 外部编号 to correct them later.

Columns a file does not have are left as they are on an update; a column present but empty clears that field
(required fields answer "此项为必填项"). An empty 到账明细 keeps the payments recorded; a given one replaces them.
A party whose 统一社会信用代码 belongs to an organisation on the platform is linked to it (so it sees the deal).

Rows are written in batches of :data:`BATCH_SIZE`, each one transaction. When a row fails while its batch is
written, the batch is rolled back and written again row by row, so a failed row leaves nothing half-written and
good rows are kept. One ``deal.import`` audit event records the whole import, in addition to each deal's events.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from flask import has_request_context
from marshmallow import ValidationError, missing
from sqlalchemy.exc import DBAPIError

from ..accounts.models import Organization
from ..audit.services import record as audit
from .. import bulk_files
from ..bulk_files import FormatError, count_records, first_sheet_rows, read_jsonl
from ..errors import DomainError
from ..extensions import db
from ..permissions import can_record_deals, is_system, require
from ..web.messages import N_, tr, translate_message
from ..workflow.deals import DEAL
from .contract_input import PARTY_FIELDS, SCALAR_FIELDS, ContractInput, PaymentInput, PartyInput, apply_contract
from .models import Deal, DealParty, DealPayment, RegistrationStatus
from .registration_form import BY_KEY, ROLE_PREFIXES, label_of, parse_record
from .services import record_deal
from .vocabularies import REGISTRATION_STATUSES

BATCH_SIZE = 100
STAFF_ONLY = "只有技术经纪人或平台管理员可以导入合同"
LOAD_DEFAULTS = ("equity_investment", "related_party", "plan_source", "ip_type")
ALIASES = {"reason": "registration_reason"}  # the lifecycle's parameter → the column


def require_importer(actor) -> None:
    """Importing contracts is for staff (brokers and admins) and the platform itself: 403 for anyone else."""
    require(can_record_deals(actor), STAFF_ONLY)


# -- reading files ------------------------------------------------------------------------------------------------

def detect_format(filename: str, explicit: str | None = None) -> str:
    return bulk_files.detect_format(filename, explicit,
                                    unknown="文件应为 XLSX、CSV（UTF-8 或 GB18030 编码）或 JSON Lines（.jsonl）")


def csv_encoding(path: str | Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else GB18030 (Excel's Chinese CSV)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def _tabular(header: list, rows: Iterable, first: int = 2) -> Iterator[tuple[int, dict]]:
    for number, cells in enumerate(rows, start=first):
        cells = list(cells)
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        yield number, {name: value for name, value in zip(header, cells) if name}


def read_xlsx(path) -> Iterator[tuple[int, dict]]:
    with first_sheet_rows(path) as rows:
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        yield from _tabular(header, rows)


def read_csv(path) -> Iterator[tuple[int, dict]]:
    encoding = csv_encoding(path)
    with open(path, encoding=encoding, newline="", errors="replace") as handle:
        reader = csv.reader(handle)
        try:
            header = [cell.strip().lstrip("\ufeff") for cell in next(reader)]
        except StopIteration:
            return
        except csv.Error as error:
            raise FormatError(tr(N_("无法读取 CSV 文件：%(error)s"), error=error)) from None
        yield from _tabular(header, reader)


def read_jsonl_lenient(path) -> Iterator[tuple[int, dict]]:
    """JSON Lines, undecodable bytes replaced (U+FFFD) rather than failing the whole file."""
    return read_jsonl(path, errors="replace")


READERS = {"xlsx": read_xlsx, "csv": read_csv, "jsonl": read_jsonl_lenient}


def read_rows(path, fmt: str) -> Iterator[tuple[int, dict]]:
    """``(row_number, record)`` pairs: the spreadsheet row (header = row 1), or the JSON Lines line number."""
    return READERS[fmt](path)


def count_rows(path, fmt: str) -> int:
    """About how many records the file holds (for the progress bar and the inline / background choice); 0 when
    unknown."""
    return count_records(path, fmt) or 0


# -- the report ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowIssue:
    """A row's error (the row was not imported) or notice (``skipped``: left as it was)."""

    row: int
    field: str  # the column key (``buyer_credit_code``), ``parties`` or ``_row``
    message: str
    skipped: bool = False

    @property
    def column(self) -> str:
        return label_of(self.field)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[RowIssue]:
        return [issue for issue in self.issues if not issue.skipped]

    @property
    def failed(self) -> int:
        return len({issue.row for issue in self.errors})

    def to_dict(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped, "failed": self.failed, "issues": [asdict(i) for i in self.issues]}

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        report = cls(**{k: data.get(k, 0) for k in ("rows", "created", "updated", "unchanged", "skipped")})
        report.issues = [RowIssue(**issue) for issue in data.get("issues", [])]
        return report


def report_csv(report: ImportReport) -> str:
    """The per-row report as CSV text (UTF-8 with BOM when written: Excel opens it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["行号", "字段", "列名", "类型", "信息"])
    for issue in report.issues:
        writer.writerow([issue.row, issue.field, issue.column, "跳过" if issue.skipped else "错误", issue.message])
    return "\ufeff" + buffer.getvalue()


# -- turning a row into contract input ----------------------------------------------------------------------------

def _in_language(text: str) -> str:
    """A schema message in the user's language when there is a request (as written otherwise: CLI, background)."""
    return translate_message(text) if has_request_context() else text


def _flatten(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flatten(value)]
    return [text for item in messages or () for text in _flatten(item)]


def contract_issues(messages: dict, roles: list[str]) -> list[tuple[str, str]]:
    """ContractInput's messages as (column key, message): ``parties[1].credit_code`` → ``buyer_credit_code``."""
    pairs = []
    for key, value in messages.items():
        if key == "parties" and isinstance(value, dict):
            for index, sub in value.items():
                if isinstance(index, int) and index < len(roles) and isinstance(sub, dict):
                    for name, texts in sub.items():
                        column = f"{roles[index]}_{name}"
                        pairs.extend((column if column in BY_KEY else "parties", t) for t in _flatten(texts))
                else:
                    pairs.extend(("parties", t) for t in _flatten(sub))
        else:
            key = ALIASES.get(key, key)
            pairs.extend((key if key in BY_KEY or key == "parties" else "_row", t) for t in _flatten(value))
    return pairs


def _keep(schema_field, value) -> bool:
    """An empty value is sent to the schema only for optional fields without a default (it clears them)."""
    return value is not None or not (schema_field.required or schema_field.load_default is not missing)


_CONTRACT_FIELDS = ContractInput().fields
_PARTY_FIELDS = PartyInput().fields


@dataclass
class _Prepared:
    number: int
    data: dict  # the contract input as read (what record_deal validates)
    loaded: dict  # the same, validated
    present: set  # the column keys the row has
    status: str | None
    registered_on: date | None
    reason: str | None
    payments: list[dict] | None  # validated; None: not given (keep what is recorded)
    outcome: str = ""


class DealImporter:
    """Imports rows as ``actor``; :meth:`add` each ``(row_number, record)``, then :meth:`finish`."""

    def __init__(self, actor, *, source: str | None = None, batch_size: int = BATCH_SIZE):
        require_importer(actor)
        self.actor = actor
        self.source = source
        self.batch_size = batch_size
        self.report = ImportReport()
        self._pending: list[_Prepared] = []
        self._orgs: dict[str, int | None] = {}

    # -- preparing ------------------------------------------------------------------------------------------------
    def _issue(self, number: int, key: str, message: str, skipped: bool = False) -> None:
        self.report.issues.append(RowIssue(number, key, message, skipped))

    def _org_id(self, credit_code) -> int | None:
        code = (credit_code or "").strip().upper() if isinstance(credit_code, str) else None
        if not code:
            return None
        if code not in self._orgs:
            self._orgs[code] = db.session.scalar(db.select(Organization.id).where(Organization.credit_code == code))
        return self._orgs[code]

    def _contract_data(self, values: dict) -> tuple[dict, list[str]]:
        data = {name: values[name] for name in SCALAR_FIELDS
                if name in values and _keep(_CONTRACT_FIELDS[name], values[name])}
        parties, roles = [], []
        for role in ROLE_PREFIXES:
            given = {name: values[f"{role}_{name}"] for name in PARTY_FIELDS if f"{role}_{name}" in values}
            if role == "intermediary" and not any(v not in (None, [], "") for v in given.values()):
                continue
            party = {"role": role}
            party.update({name: value for name, value in given.items() if _keep(_PARTY_FIELDS[name], value)})
            org_id = self._org_id(party.get("credit_code"))
            if org_id is not None:
                party["org_id"] = org_id
            parties.append(party)
            roles.append(role)
        data["parties"] = parties
        return data, roles

    def _prepare(self, number: int, raw: dict) -> _Prepared | None:
        if "_error" in raw:
            self._issue(number, "_row", raw["_error"])
            return None
        values = parse_record(raw)
        if not values:
            self._issue(number, "_row", "该行没有可识别的列（表头应为登记表的中文列名或英文键）")
            return None
        data, roles = self._contract_data(values)
        issues: list[tuple[str, str]] = []
        try:
            loaded = ContractInput().load(data)
        except ValidationError as error:
            messages = error.messages if isinstance(error.messages, dict) else {"_row": error.messages}
            issues.extend(contract_issues(messages, roles))
            loaded = {}
        status, registered_on, reason = self._registration(values, loaded, issues)
        payments = self._payments(values, issues)
        if issues:
            for key, message in issues:
                self._issue(number, key, message)
            return None
        for name in LOAD_DEFAULTS:  # a column the file lacks is left as it is on an update
            if name not in values and not (name == "equity_investment" and loaded.get(name)):
                loaded.pop(name, None)
        return _Prepared(number, data, loaded, set(values), status, registered_on, reason, payments)

    @staticmethod
    def _registration(values: dict, loaded: dict, issues: list) -> tuple[str | None, date | None, str | None]:
        status = values.get("registration_status")
        if status is None:
            return None, None, None
        if status not in REGISTRATION_STATUSES:
            issues.append(("registration_status",
                           tr(N_("无效的登记状态：%(status)s（可选：待登记、已登记、不予登记）"), status=status)))
            return None, None, None
        registered_on = reason = None
        if status == RegistrationStatus.REGISTERED:
            if not values.get("registration_number") and "registration_number" not in dict(issues):
                issues.append(("registration_number", "已登记的合同应填写 16 位合同登记编号"))
            text = values.get("registered_on")
            try:
                registered_on = date.fromisoformat(text) if text else None
            except ValueError:
                issues.append(("registered_on", "请输入有效日期（YYYY-MM-DD）"))
                return status, None, None
            if registered_on is None:
                issues.append(("registered_on", "已登记的合同应填写登记日期"))
            elif loaded.get("signed_on") and registered_on < loaded["signed_on"]:
                issues.append(("registered_on", "登记日期不能早于签订日期"))
        elif status == RegistrationStatus.REFUSED:
            reason = (values.get("registration_reason") or "").strip()
            if not reason:
                issues.append(("registration_reason", "不予登记的合同应填写原因"))
        return status, registered_on, reason or None

    @staticmethod
    def _payments(values: dict, issues: list) -> list[dict] | None:
        given = values.get("payments")
        if given is None and values.get("received_amount") is not None:
            if values.get("received_on") is None:
                issues.append(("received_on", "填写到账金额合计时请同时填写到账日期"))
                return None
            given = [{"received_on": values["received_on"], "amount": values["received_amount"]}]
        if given is None:
            return None
        if isinstance(given, str):
            issues.append(("payments", tr(N_("无法识别的到账记录：%(given)s（每行写“日期 金额 备注”，如 2026-03-01 50）"),
                                          given=given)))
            return None
        payments = []
        for position, payment in enumerate(given, start=1):
            try:
                payments.append(PaymentInput().load(payment))
            except ValidationError as error:
                issues.extend(("payments", tr(N_("第 %(position)s 笔：%(message)s"), position=position,
                                              message=_in_language(text))) for text in _flatten(error.messages))
        return payments

    # -- writing --------------------------------------------------------------------------------------------------
    def add(self, number: int, raw: dict) -> None:
        self.report.rows += 1
        row = self._prepare(number, raw)
        if row is None:
            return
        self._pending.append(row)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        rows, self._pending = self._pending, []
        if not rows:
            return
        try:
            for row in rows:
                self._write(row)
            db.session.commit()
        except (DomainError, DBAPIError):
            db.session.rollback()
            for row in rows:  # again one by one: a failed row is rolled back alone
                try:
                    self._write(row)
                    db.session.commit()
                except (DomainError, DBAPIError) as error:
                    db.session.rollback()
                    self._failed(row, error)
                    continue
                self._tally(row)
            return
        for row in rows:
            self._tally(row)

    def _failed(self, row: _Prepared, error: Exception) -> None:
        if isinstance(error, DomainError) and error.errors:
            for key, message in contract_issues(error.errors, [p["role"] for p in row.data.get("parties", [])]):
                self._issue(row.number, key, message)
        elif isinstance(error, DomainError):
            self._issue(row.number, "_row", error.message)
        else:
            self._issue(row.number, "_row", tr(N_("数据库拒绝保存该行：%(error)s"),
                                               error=type(getattr(error, "orig", error)).__name__))

    def _tally(self, row: _Prepared) -> None:
        setattr(self.report, row.outcome, getattr(self.report, row.outcome) + 1)

    def _find(self, row: _Prepared) -> Deal | None:
        number, external_id = row.loaded.get("registration_number"), row.loaded.get("external_id")
        by_number = db.session.scalar(db.select(Deal).where(Deal.registration_number == number)) if number else None
        by_external = db.session.scalar(db.select(Deal).where(Deal.external_id == external_id)) \
            if external_id else None
        if by_number is not None and by_external is not None and by_number.id != by_external.id:
            raise DomainError(errors={"external_id": ["合同登记编号与外部编号分别对应平台上的两份不同合同"]})
        if by_number is not None or by_external is not None:
            return by_number or by_external
        if number or external_id:
            return None
        return self._natural_match(row.loaded)

    @staticmethod
    def _natural_match(loaded: dict) -> Deal | None:
        names = {party["role"]: party["name"] for party in loaded["parties"]}
        candidates = db.session.scalars(db.select(Deal).where(
            Deal.name == loaded["name"], Deal.signed_on == loaded["signed_on"],
            Deal.contract_type == loaded["contract_type"], Deal.total_amount == loaded["total_amount"],
            Deal.registration_number.is_(None), Deal.external_id.is_(None)))
        for deal in candidates:
            if {party.role: party.name for party in deal.parties} == names:
                return deal
        return None

    def _write(self, row: _Prepared) -> None:
        row.outcome = ""
        deal = self._find(row)
        if deal is None:
            self._create(row)
        else:
            self._update(row, deal)

    def _create(self, row: _Prepared) -> None:
        deal = record_deal(self.actor, row.data)
        if row.payments:
            deal.payments = [DealPayment(**payment) for payment in row.payments]
        self._register(deal, row)
        db.session.flush()
        row.outcome = "created"

    def _register(self, deal: Deal, row: _Prepared) -> bool:
        """Move the deal's registration to the row's status through the lifecycle; False if it cannot go there."""
        target, current = row.status, str(deal.registration_status)
        if target is None:
            return True
        if target == current:
            return target != RegistrationStatus.REGISTERED or deal.registered_on == row.registered_on
        if current == RegistrationStatus.REGISTERED:
            return False
        if current == RegistrationStatus.REFUSED:
            DEAL.apply(self.actor, deal, "resubmit")
        if target == RegistrationStatus.REGISTERED:
            deal.registered_on = row.registered_on
            DEAL.apply(self.actor, deal, "register")
        elif target == RegistrationStatus.REFUSED:
            DEAL.apply(self.actor, deal, "refuse", reason=row.reason)
        return True

    def _update(self, row: _Prepared, deal: Deal) -> None:
        contract_changed = self._contract_differs(deal, row.loaded)
        payments_changed = row.payments is not None and self._payments_differ(deal, row.payments)
        registration_changed = row.status is not None and (
            row.status != str(deal.registration_status) or
            (row.status == RegistrationStatus.REGISTERED and deal.registered_on != row.registered_on))
        if not (contract_changed or payments_changed or registration_changed):
            row.outcome = "unchanged"
            return
        blocked = contract_changed and not DEAL.can(self.actor, deal, "edit") or registration_changed and \
            str(deal.registration_status) == RegistrationStatus.REGISTERED
        if blocked:
            state = DEAL.state_label(deal.registration_status)
            self._issue(row.number, "_row", tr(N_("合同（编号 %(id)s）当前为「%(state)s」，已登记的内容不能由导入修改，"
                                                  "该行已跳过"), id=deal.id, state=state), skipped=True)
            row.outcome = "skipped"
            return
        if contract_changed:
            DEAL.apply(self.actor, deal, "edit")
            self._apply(deal, row.loaded)
        if payments_changed:
            DEAL.apply(self.actor, deal, "record_payment")
            deal.payments = [DealPayment(**payment) for payment in row.payments]
        self._register(deal, row)
        db.session.flush()
        row.outcome = "updated"

    @staticmethod
    def _apply(deal: Deal, loaded: dict) -> None:
        held = {party.role: party for party in deal.parties}
        for party in loaded["parties"]:
            if party.get("org_id") is None and party["role"] in held:
                party["org_id"] = held[party["role"]].org_id  # a link made on the platform stays
        apply_contract(deal, loaded)

    @staticmethod
    def _contract_differs(deal: Deal, loaded: dict) -> bool:
        for name in SCALAR_FIELDS:
            if name in loaded and (loaded[name] if loaded[name] != "" else None) != getattr(deal, name):
                return True
        held: dict[str, DealParty] = {party.role: party for party in deal.parties}
        given = {party["role"]: party for party in loaded["parties"]}
        if set(held) != set(given):
            return True
        for role, party in given.items():
            for name in PARTY_FIELDS:
                if name == "org_id" and party.get("org_id") is None:
                    continue
                default = [] if name == "flags" else None
                if party.get(name, default) != (getattr(held[role], name) or default):
                    return True
        return False

    @staticmethod
    def _payments_differ(deal: Deal, payments: list[dict]) -> bool:
        def key(items):
            return sorted((p["received_on"], p["amount"], p.get("note") or None) for p in items)

        return key(payments) != key({"received_on": p.received_on, "amount": p.amount, "note": p.note}
                                    for p in deal.payments)

    def finish(self) -> ImportReport:
        """Write what is pending, record the import's audit event and return the report."""
        self.flush()
        report = self.report
        audit(None if is_system(self.actor) else self.actor, "deal.import", _ImportBatch(), {
            "source": self.source, "rows": report.rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "skipped": report.skipped, "failed": report.failed})
        db.session.commit()
        return report


class _ImportBatch:
    """The audit target of an import: deals in general (each deal also has its own events)."""

    __tablename__ = "deals"
    id = None


def import_deals(actor, records: Iterable[tuple[int, dict]], *, source: str | None = None,
                 batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import ``(row_number, record)`` pairs as ``actor``; returns the counts and the per-row issues."""
    importer = DealImporter(actor, source=source, batch_size=batch_size)
    for number, raw in records:
        importer.add(number, raw)
        if progress is not None:
            progress(1)
    return importer.finish()


def import_file(actor, path, fmt: str | None = None, *, source: str | None = None,
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import a file (format from ``fmt`` or the file name)."""
    fmt = detect_format(str(path), fmt)
    return import_deals(actor, read_rows(path, fmt), source=source or Path(path).name, progress=progress)
