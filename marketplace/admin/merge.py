"""Merging a duplicate organisation into the one that is kept: every row that refers to the duplicate is moved.

The references are found from the models, not listed by hand: every mapped column with a foreign key to
``organizations.id`` (memberships, invitations, listings, revisions, attachments, inquiries and their messages,
contract parties, contracts, licences, opportunities, challenge applications, ...), plus the organisation ids a
challenge application keeps in JSON (its consortium). Rows are changed through the ORM, so the search outbox and
the statistics' summary tables follow as they do for any other edit.
"""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organization
from ..errors import Conflict
from ..extensions import db
from ..web.messages import N_

CLASH = N_("两个机构的记录相互冲突（例如相同外部编号的成果，或对同一榜单的揭榜申请），请先处理重复的记录再合并")


def organization_references() -> list[tuple[type, str]]:
    """``(model, attribute)`` for every mapped column that refers to an organisation (the self-reference of a
    merged organisation excepted)."""
    found = []
    for mapper in db.Model.registry.mappers:
        for prop in mapper.column_attrs:
            if mapper.class_ is Organization and prop.key == "merged_into_id":
                continue
            if any(fk.column.table.name == Organization.__tablename__ for column in prop.columns
                   for fk in column.foreign_keys):
                found.append((mapper.class_, prop.key))
    return sorted(found, key=lambda pair: (pair[0].__name__, pair[1]))


def _move_consortium_members(duplicate_id: int, kept: Organization) -> int:
    from ..challenges.models import ChallengeApplication

    moved = 0
    for application in db.session.execute(db.select(ChallengeApplication)).scalars():
        if duplicate_id not in (application.consortium_org_ids or []):
            continue
        application.consortium_org_ids = list(dict.fromkeys(
            kept.id if org_id == duplicate_id else org_id for org_id in application.consortium_org_ids))
        application.consortium = [{**member, "org_id": kept.id, "org_name": kept.name}
                                  if member.get("org_id") == duplicate_id else member
                                  for member in application.consortium or []]
        moved += 1
    return moved


def move_references(duplicate: Organization, kept: Organization) -> dict[str, int]:
    """Point every reference to ``duplicate`` at ``kept``; returns how many rows moved per table. A clash with a
    uniqueness rule (both had the same record) is a :class:`Conflict` and nothing is moved."""
    moved: dict[str, int] = {}
    for model, attribute in organization_references():
        column = getattr(model, attribute)
        rows = list(db.session.execute(db.select(model).where(column == duplicate.id)).scalars())
        for row in rows:
            setattr(row, attribute, kept.id)
        if rows:
            table = model.__tablename__
            moved[table] = moved.get(table, 0) + len(rows)
    if consortium := _move_consortium_members(duplicate.id, kept):
        moved["challenge_applications.consortium"] = consortium
    if kept.credit_code is None and duplicate.credit_code:  # one legal person, one code: the kept one has it
        kept.credit_code, duplicate.credit_code = duplicate.credit_code, None
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(CLASH) from None
    models = {model for model, _ in organization_references()}
    for row in list(db.session.identity_map.values()):  # loaded relationships (org.memberships, ...) read anew
        if type(row) in models:
            db.session.expire(row)
    db.session.expire(duplicate, ["memberships"])
    db.session.expire(kept, ["memberships"])
    return moved
