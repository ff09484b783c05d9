"""Opportunities that open by themselves: receivers of other packages' signals (those packages import nothing of
the pipeline). Connected when this module is imported (by the opportunity pages and API)."""
from __future__ import annotations

from ..matching.signals import match_recommended
from ..workflow import transitioned
from .opportunities import from_awarded_application, from_recommendation


@transitioned.connect_via("challenge_application")
def _on_application(sender, record=None, transition=None, actor=None, **extra) -> None:
    """An awarded 揭榜 application: the applicant and the issuer have a deal in the making."""
    if transition == "award":
        from_awarded_application(actor, record)


@match_recommended.connect
def _on_recommended(sender, demand=None, kind="", target=None, actor=None, open_lead=False, **extra) -> None:
    """A broker recommended a match and asked for a lead on the pipeline."""
    if open_lead and actor is not None and target is not None:
        from_recommendation(actor, demand, kind, target)
