"""Signals the matching package sends; other packages subscribe to them, so matching imports none of them.

``match_recommended`` is sent by :func:`marketplace.matching.services.recommend` after a broker recommended a
pair, inside the request's transaction, with ``demand``, ``kind``, ``target``, ``note``, ``explanation``
(the pair's reasons), ``actor`` and ``open_lead``. The alerts package notifies both parties there; the deals
package opens a lead on the broker pipeline when ``open_lead`` is true.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
match_recommended = _signals.signal("match-recommended")
