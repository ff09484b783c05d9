"""Organisations, users, memberships, invitations and personal access tokens."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..listings import state_column
from ..timeutil import utcnow


class OrgStatus(enum.StrEnum):
    """Where an organisation stands with the platform (lifecycle: marketplace.workflow.organizations)."""

    PENDING = "pending"  # registered, waiting for a platform admin to verify it
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    MERGED = "merged"  # a duplicate whose members and records moved to ``merged_into``


class Organization(db.Model):
    __tablename__ = "organizations"
    __search_kind__ = "organization"
    __table_args__ = (Index("ix_organizations_status_name", "status", "name"),)  # the public directory

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # active_history: the value before a change is kept, so the indexing listeners can tell whether a change
    # reaches the organisation's listings' search documents (see the counters below)
    name: Mapped[str] = mapped_column(String(200), unique=True, active_history=True)
    org_type: Mapped[str] = mapped_column(String(20), index=True, active_history=True)
    region: Mapped[str] = mapped_column(String(6), index=True, active_history=True)
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码 (GB 32100), pre-fills contracts
    # Only verified organisations are in the public directory and may have listings published. Self-service sign-up
    # starts pending; organisations the platform creates itself (imports, demo data) start verified.
    status: Mapped[OrgStatus] = state_column(OrgStatus, "org_status", OrgStatus.VERIFIED, active_history=True)
    status_reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected or suspended
    verified_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # How often the name, the type and the province of the region changed, and how often a suspension began or
    # ended: the listings' search documents copy these (a suspended organisation's listings have none), so each
    # counter is part of their document versions (marketplace.indexing.documents.HOLDER_FIELDS). Bumped by the
    # indexing listener in the flush that makes the change, never by hand.
    name_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    org_type_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    region_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    status_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(back_populates="organization", cascade="all, delete-orphan")
    merged_into: Mapped[Organization | None] = relationship(remote_side=[id])

    @property
    def is_verified(self) -> bool:
        return self.status == OrgStatus.VERIFIED

    @property
    def is_suspended(self) -> bool:
        """Suspended by the platform: its published listings are withheld from the public until it is restored."""
        return self.status == OrgStatus.SUSPENDED

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    platform_role: Mapped[str | None] = mapped_column(String(16))  # None | "broker" | "admin"
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped at password change and "log out everywhere": sessions carrying an older epoch are no longer valid.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # When the user proved the address is theirs (the sign-up link, an accepted invitation); None until then.
    # Accounts made by operators (CLI, demo data, imports) and those older than verification count as verified.
    email_verified_at: Mapped[datetime | None]

    membership: Mapped[Membership | None] = relationship(back_populates="user", uselist=False,
                                                         cascade="all, delete-orphan")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def org_id(self) -> int | None:
        return self.membership.org_id if self.membership else None

    @property
    def organization(self) -> Organization | None:
        return self.membership.organization if self.membership else None

    @property
    def is_broker(self) -> bool:
        return self.platform_role in ("broker", "admin")

    @property
    def is_admin(self) -> bool:
        return self.platform_role == "admin"

    @property
    def is_org_admin(self) -> bool:
        return bool(self.membership and self.membership.role == "org_admin")


class Membership(db.Model):
    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")  # member | org_admin
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="membership")
    organization: Mapped[Organization] = relationship(back_populates="memberships")


class Invitation(db.Model):
    """An org admin invites someone by e-mail; the token (shown once, stored hashed) lets them register into the org."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), default="member")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()


class ApiToken(db.Model):
    """A personal access token: the secret is shown once; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(8), default="read")  # read | write
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
