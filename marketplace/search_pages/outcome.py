"""A search request and its outcome: the types shared by :mod:`.service` (the engine) and :mod:`.fallback` (the
database), in a module of their own so that neither of the two imports the other for them."""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from search import analysis

from .facets import PAGES, KindPage

MAX_RESULT_WINDOW = 10_000  # the engines' deepest offset


@dataclass
class SearchRequest:
    kind: str
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20

    @property
    def config(self) -> KindPage:
        return PAGES[self.kind]

    @property
    def wordless(self) -> bool:
        """Keywords without a usable word (only punctuation or stopwords): nothing matches them, whereas no
        keywords at all browse everything."""
        return bool(self.q) and not analysis.tokenize(self.q)


@dataclass
class SearchOutcome:
    request: SearchRequest
    records: list
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    highlights: dict[int, dict[str, Markup]] = field(default_factory=dict)
    degraded: bool = False
    did_you_mean: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        window = min(self.total, MAX_RESULT_WINDOW)
        return max(1, -(-window // self.request.page_size))
