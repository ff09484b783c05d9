"""Where a user lands after signing in (unless a safe ``next`` says otherwise): the page of their role."""
from __future__ import annotations

from flask import url_for


def landing_for(user) -> str:
    """Platform admins: the administration overview. Brokers: the review queue. Members of an
    enterprise: their demands; of an investor: their saved searches and alerts; everyone else (universities,
    institutes, no organisation): their achievements (我的成果)."""
    if getattr(user, "is_admin", False):
        return url_for("admin.overview")
    if getattr(user, "is_broker", False):
        return url_for("review.queue")
    org_type = getattr(getattr(user, "organization", None), "org_type", None)
    if org_type == "enterprise":
        return url_for("home.workspace", tab="demands")
    if org_type == "investor":
        return url_for("alerts.subscriptions")
    return url_for("home.workspace")
