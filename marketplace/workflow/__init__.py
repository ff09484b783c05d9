"""Declared lifecycles: every record's states and the transitions between them, declared once.

A :class:`Lifecycle` is a set of :class:`Transition` s over one state attribute of a model. Applying a transition
(:meth:`Lifecycle.apply`) is the only way a service changes that state. It checks, in this order:

1. visibility — an actor who may not see the record gets :class:`~marketplace.errors.NotFound` (404), the same
   answer as a missing id;
2. permission — the transition's ``allowed`` predicate (from :mod:`marketplace.permissions`); a refusal is
   :class:`~marketplace.errors.PermissionDenied` (403) naming who may;
3. state — the record's state must be one of the transition's sources (and its ``guard`` must hold); otherwise
   :class:`~marketplace.errors.StateConflict` (409) naming the current state and what the actor can do now (or the
   transition's ``refusal`` when only the guard fails, e.g. "the organisation is not verified yet").

Then it sets the target state, stamps the declared timestamps, runs the transition's ``effect`` (extra work such as
storing a reason), writes the audit event and sends :data:`transitioned` (for notifications). Indexing needs no
call: the outbox listener sees the change in the same flush.

:meth:`Lifecycle.available` lists what an actor may do to a record now: pages draw their buttons from it and API
item responses carry it as ``actions``. A transition whose ``target`` is ``None`` keeps the state (an edit, a
decision on a pending revision, a deletion done by its effect).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from blinker import Namespace
from flask import has_request_context

from ..audit.services import record as audit
from ..errors import NotFound, PermissionDenied, StateConflict
from ..taxonomy import label
from ..timeutil import utcnow
from ..web.messages import tr as _tr

_signals = Namespace()
#: Sent after every applied transition: ``sender`` = the lifecycle's name; keyword arguments ``record``,
#: ``transition`` (its name), ``actor``, ``source`` (the state before) and ``params``.
transitioned = _signals.signal("transitioned")

Predicate = Callable[[Any, Any], bool]


class SystemActor:
    """The platform itself (bulk import, CLI jobs run by an operator): passes every permission, audited as no user."""

    id = None
    org_id = None
    organization = None
    is_authenticated = True
    is_system = True
    is_broker = True
    is_admin = True

    def __repr__(self) -> str:
        return "<system>"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Transition:
    """One step of a lifecycle: ``name`` (the action's code), the ``source`` states it starts from, the ``target``
    state (None = stays), who may (``allowed(actor, record)``), the timestamps it stamps, an optional ``guard``
    (a further condition on the record, e.g. "has a pending revision") and ``effect(actor, record, params)``."""

    name: str
    label: str
    source: frozenset[str]
    target: str | None
    allowed: Predicate
    denied: str  # the refusal when ``allowed`` is false: who may do this
    stamps: tuple[str, ...] = ()
    clears: tuple[str, ...] = ()
    guard: Callable[[Any], bool] | None = None
    refusal: str | None = None  # the 409 when the state fits but ``guard`` does not hold (default: the state's)
    effect: Callable[[Any, Any, dict], None] | None = None
    audited: bool = True


@dataclass
class Lifecycle:
    """The transitions of one kind of record over its ``state_attr``."""

    name: str  # also the audit event prefix: "<name>.<transition>"
    state_labels: dict[str, tuple[str, str]]
    transitions: list[Transition]
    visible: Predicate
    state_attr: str = "status"
    _by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {t.name: t for t in self.transitions}

    @property
    def states(self) -> list[str]:
        return list(self.state_labels)

    def extended(self, name: str, *extra: Transition) -> "Lifecycle":
        """This lifecycle with more transitions (e.g. demands may also be closed)."""
        return Lifecycle(name, self.state_labels, [*self.transitions, *extra], self.visible, self.state_attr)

    def transition(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise NotFound(_tr("没有这个操作：%(name)s", name=name)) from None

    def state_label(self, state) -> str:
        """The state's name in the user's language (as written, in Chinese, outside a request: CLI, imports)."""
        labels = self.state_labels.get(str(state))
        if not labels:
            return str(state)
        return label(self.state_labels, str(state)) if has_request_context() else labels[0]

    # -- asking ---------------------------------------------------------------------------------------------------

    def permits(self, actor, transition: Transition, record) -> bool:
        return bool(getattr(actor, "is_system", False) or transition.allowed(actor, record))

    def in_state_for(self, transition: Transition, record) -> bool:
        return str(getattr(record, self.state_attr)) in transition.source and \
            (transition.guard is None or transition.guard(record))

    def can(self, actor, record, name: str) -> bool:
        transition = self.transition(name)
        return self.visible(actor, record) and self.permits(actor, transition, record) and \
            self.in_state_for(transition, record)

    def available(self, actor, record) -> list[str]:
        """The actions ``actor`` may take on ``record`` now, in declaration order."""
        if not self.visible(actor, record):
            return []
        return [t.name for t in self.transitions if self.permits(actor, t, record) and self.in_state_for(t, record)]

    # -- doing ----------------------------------------------------------------------------------------------------

    def check(self, actor, record, name: str) -> Transition:
        """Raise the domain error ``actor`` gets for ``name`` on ``record`` now (404, 403 or 409), else return it."""
        transition = self.transition(name)
        if not self.visible(actor, record):
            raise NotFound()
        if not self.permits(actor, transition, record):
            raise PermissionDenied(_tr(transition.denied))
        if not self.in_state_for(transition, record):
            if transition.refusal and str(getattr(record, self.state_attr)) in transition.source:
                raise StateConflict(_tr(transition.refusal))
            raise StateConflict(self.conflict_message(actor, record, transition))
        return transition

    def conflict_message(self, actor, record, transition: Transition) -> str:
        state = self.state_label(getattr(record, self.state_attr))
        now = [_tr(self._by_name[n].label) for n in self.available(actor, record)]
        message = _tr("当前状态为「%(state)s」，不能%(action)s。", state=state, action=_tr(transition.label))
        if now:
            return message + _tr("现在可以：%(actions)s", actions=_tr("、").join(now))
        return message + _tr("现在没有可执行的操作")

    def apply(self, actor, record, name: str, *, audit_each: bool = True, **params) -> Transition:
        """Check and apply transition ``name`` to ``record`` as ``actor`` (see the module docstring).

        ``audit_each=False`` is for bulk work that records one audit event for the whole batch itself, naming
        every record it moved (the importer)."""
        transition = self.check(actor, record, name)
        source = str(getattr(record, self.state_attr))
        if transition.effect is not None:
            transition.effect(actor, record, params)  # first: it may refuse (e.g. a missing reason)
        if transition.target is not None:
            setattr(record, self.state_attr, transition.target)
        now = utcnow()
        for stamp in transition.stamps:
            setattr(record, stamp, now)
        for cleared in transition.clears:
            setattr(record, cleared, None)
        if transition.audited and audit_each:
            details = {key: value for key, value in params.items() if isinstance(value, (str, int, float, bool))}
            if transition.target is not None and transition.target != source:
                details.update({"from": source, "to": transition.target})
            audit(actor, f"{self.name}.{transition.name}", record, details or None)
        transitioned.send(self.name, record=record, transition=transition.name, actor=actor, source=source,
                          params=params)
        return transition
