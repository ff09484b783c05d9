"""The transactional outbox: a row per change of a searchable record, written in the same transaction."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class OutboxEntry(db.Model):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # achievement | patent | demand | organization, or holder:<kind> (record_id = an organisation whose data in
    # the documents of its listings of <kind> changed; the indexer queues those listings)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    # record version when the change was made; for a deleted listing and for the rows the indexer queues after an
    # organisation change, the document version (see documents.document_version); for a holder:<kind> row, the
    # organisation's counters. Only a gone record's deletion reads it (to delete above any indexed version).
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(default=False)  # the row itself was deleted from the database
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(index=True)
