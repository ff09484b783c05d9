"""Every declared lifecycle can be recorded: its audit action names fit the audit column (PostgreSQL refused
"challenge_application.close_with_challenge" with the 40-character column; SQLite stores anything)."""
from __future__ import annotations

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.workflow import Lifecycle
from marketplace.workflow import challenges, deals, listings

LIFECYCLES = [value for module in (listings, challenges, deals) for value in vars(module).values()
              if isinstance(value, Lifecycle)]


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lifecycle: lifecycle.name)
def test_audit_actions_fit_the_column(lifecycle):
    width = AuditEvent.__table__.c.action.type.length
    too_long = [f"{lifecycle.name}.{t.name}" for t in lifecycle.transitions if len(f"{lifecycle.name}.{t.name}") > width]
    assert not too_long


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda lifecycle: lifecycle.name)
def test_every_target_state_has_a_label(lifecycle):
    targets = {t.target for t in lifecycle.transitions if t.target is not None}
    sources = {state for t in lifecycle.transitions for state in t.source}
    assert (targets | sources) <= set(lifecycle.state_labels)
