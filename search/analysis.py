"""Chinese text analysis, in one place, for every engine: the embedded tantivy index and the cluster engines index
and query exactly the tokens produced here, so they agree on what matches.

Pipeline of :func:`tokenize`: ASCII lower-casing → jieba segmentation (rjieba, the Rust port; accurate mode with
HMM for unknown words) with a domain user dictionary → drop whitespace, punctuation, stopwords and over-long tokens →
synonym canonicalisation (every term of a synonym group becomes the group's first term).

Documents are indexed in *search mode* (:func:`index_tokens`): every token is followed by its dictionary sub-words
(:func:`subwords`, jieba's search-mode 2- and 3-character words: "正极材料" → "正极", "材料"), so a query word that
is part of a longer document word still matches ("正极" finds "高镍正极材料"). Queries stay in accurate mode
(:func:`tokenize`); a query's own long words match the same long words in documents.

Dictionaries are plain text files in ``search/dictionaries/`` plus any files passed to :func:`configure` (the app
passes admin-edited files from its instance folder). Changing them changes tokens, so an index built before the
change should be rebuilt; :func:`fingerprint` identifies the active configuration for that purpose.
"""
from __future__ import annotations

import hashlib
import heapq
import importlib.util
import re
import threading
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import rjieba

DICTIONARY_DIR = Path(__file__).with_name("dictionaries")
BUILTIN_USER_DICT = DICTIONARY_DIR / "user_dict.txt"
BUILTIN_SYNONYMS = DICTIONARY_DIR / "synonyms.txt"

INDEX_MODE = "index:search-mode-subwords/1;ascii-words-whole/1"
MAX_TOKEN_CHARS = 40  # longer "words" are garbage or hostile input (a 10,000-char run of letters)

STOPWORDS = frozenset(
    """的 了 和 与 及 等 在 是 对 中 为 以 将 由 于 从 其 之 而 并 或 被 把 也 就 都 又 及其 以及 一种 一个 这 那
    这些 那些 这种 该 本 各 每 我们 你们 他们 我 你 他 它 公司 有限公司 通过 进行 具有 可以 能够 如何 什么 哪些
    基于 关于 对于 其中 以上 以下 所 所述 得到 采用 利用 使用 用于 提出 研究 方法 问题 方面
    a an and are as at be by for from in is it of on or that the this to was were with""".split()
)


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only (keeps string length, so character offsets stay valid)."""
    # bytes.lower() touches ASCII only and runs in C (str.translate is ~50x slower on long texts).
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def _read_lines(path: Path) -> Iterable[str]:
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line


def _parse_synonym_line(line: str) -> list[str]:
    parts = [p.strip() for p in line.replace("，", ",").split(",")]
    return [ascii_lower(p) for p in parts if p]


def _inside_ascii_word(left: str, right: str) -> bool:
    """Whether the boundary between two segmented words falls between two ASCII letters or digits."""
    return bool(left and right) and _ascii_alnum(left[-1]) and _ascii_alnum(right[0])


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _whole_ascii_words(words: list[str]) -> list[str]:
    """jieba splits an ASCII word at a dictionary word inside it ("detect" → "dete" + "ct", and ct is a synonym of
    计算机断层扫描): join the pieces that meet between two ASCII letters or digits, so an English word stays whole."""
    out: list[str] = []
    for word in words:
        if out and _inside_ascii_word(out[-1], word):
            out[-1] += word
        else:
            out.append(word)
    return out


class Analyzer:
    """A configured tokenizer: jieba instance + user words + synonym map. Use the module functions normally."""

    def __init__(self, user_dict_paths: Sequence[str | Path] = (), synonym_paths: Sequence[str | Path] = ()):
        self._jieba = rjieba.Jieba()
        self._memo: dict[str, str | None] = {}
        self.synonyms: dict[str, str] = {}
        digest = hashlib.sha256()
        for path in [BUILTIN_USER_DICT, *map(Path, user_dict_paths)]:
            for line in _read_lines(path):
                digest.update(line.encode())
                fields = line.split()
                freq = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 2000
                self._jieba.add_word(ascii_lower(fields[0]), freq, None)
        for path in [BUILTIN_SYNONYMS, *map(Path, synonym_paths)]:
            for line in _read_lines(path):
                digest.update(b"syn:" + line.encode())
                group = _parse_synonym_line(line)
                for term in group:
                    if not self._jieba.has_word(term):
                        self._jieba.add_word(term, 3000, None)
                    # A term listed in an earlier group keeps its first canonical form.
                    self.synonyms.setdefault(term, group[0])
        digest.update(INDEX_MODE.encode())  # how documents are tokenised is part of what an index depends on
        self.fingerprint = digest.hexdigest()[:16]
        self._sub_memo: dict[str, tuple[str, ...]] = {}

    def segments(self, text: str) -> list[tuple[str, int, int]]:
        """``(token, start, end)`` character spans of kept tokens, token canonicalised (for highlighting)."""
        out = []
        spans: list[tuple[str, int, int]] = []
        for word, start, end in self._jieba.tokenize(ascii_lower(text)):
            if spans and spans[-1][2] == start and _inside_ascii_word(spans[-1][0], word):
                spans[-1] = (spans[-1][0] + word, spans[-1][1], end)
            else:
                spans.append((word, start, end))
        for word, start, end in spans:
            term = self.normalize(word)
            if term:
                out.append((term, start, end))
        return out

    def normalize(self, word: str) -> str | None:
        """Canonical form of one segmented word, or None when it is dropped (memoised: vocabularies are small)."""
        try:
            return self._memo[word]
        except KeyError:
            pass
        if len(self._memo) > 300_000:
            self._memo.clear()
        term = self._memo[word] = self._normalize(word)
        return term

    def _normalize(self, word: str) -> str | None:
        word = word.strip()
        if not word or len(word) > MAX_TOKEN_CHARS or word in STOPWORDS:
            return None
        if not is_word(word):
            return None
        return self.synonyms.get(word, word)

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text`` in order (duplicates kept: term frequencies matter)."""
        if not text:
            return []
        words = _whole_ascii_words(self._jieba.cut(ascii_lower(text)))
        memo = self._memo
        missing = set(words).difference(memo)
        if missing:
            for word in missing:
                self.normalize(word)
            if not all(w in memo for w in missing):  # the memo was just cleared: refill for this text
                memo.update((w, self._normalize(w)) for w in set(words))
        return [t for t in map(memo.__getitem__, words) if t]

    def subwords(self, term: str) -> tuple[str, ...]:
        """Dictionary sub-words of one canonical token (jieba search mode: its 2- and 3-character words that are
        in the dictionary), canonicalised, without the token itself; () for short or ASCII tokens. Memoised."""
        try:
            return self._sub_memo[term]
        except KeyError:
            pass
        out: tuple[str, ...] = ()
        if len(term) > 2 and not term.isascii():
            parts = (self.normalize(p) for p in self._jieba.cut_for_search(term))
            out = tuple(dict.fromkeys(p for p in parts if p and p != term and len(p) >= 2))
        if len(self._sub_memo) > 300_000:
            self._sub_memo.clear()
        self._sub_memo[term] = out
        return out

    def index_tokens(self, text: str) -> list[str]:
        """Search-mode tokens for indexing: each accurate-mode token followed by its :meth:`subwords`."""
        out: list[str] = []
        for term in self.tokenize(text):
            out.append(term)
            if len(term) > 2:
                out.extend(self.subwords(term))
        return out

    def search_segments(self, text: str) -> list[tuple[str, int, int]]:
        """:meth:`segments` plus the spans of sub-words inside longer tokens (for highlighting what matched)."""
        out = []
        for term, start, end in self.segments(text):
            out.append((term, start, end))
            if len(term) > 2 and end - start == len(term):
                piece = ascii_lower(text[start:end])
                for sub in self.subwords(term):
                    pos = piece.find(sub)
                    if pos >= 0:
                        out.append((sub, start + pos, start + pos + len(sub)))
        return out


_lock = threading.Lock()
_analyzer: Analyzer | None = None
_idf: tuple[dict[str, float], float] | None = None


def configure(user_dict_paths: Sequence[str | Path] = (), synonym_paths: Sequence[str | Path] = ()) -> str:
    """Load the built-in dictionaries plus these extra files (replacing any earlier configure call).

    User dictionary lines are ``word [freq] [tag]``; synonym lines are comma-separated groups whose first term is
    canonical. Missing files are ignored so a fresh instance folder works. Returns the new :func:`fingerprint`.
    """
    global _analyzer
    users = [p for p in user_dict_paths if Path(p).is_file()]
    syns = [p for p in synonym_paths if Path(p).is_file()]
    analyzer = Analyzer(users, syns)
    with _lock:
        _analyzer = analyzer
    return analyzer.fingerprint


def analyzer() -> Analyzer:
    """The active analyzer (built with the built-in dictionaries on first use)."""
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                _analyzer = Analyzer()
    return _analyzer


def fingerprint() -> str:
    """A short hash of the active dictionaries; an index built under another fingerprint should be rebuilt."""
    return analyzer().fingerprint


def tokenize(text: str | None) -> list[str]:
    """Analysed tokens of ``text``: lower-cased ASCII, jieba words, no punctuation/stopwords, synonyms canonical."""
    return analyzer().tokenize(text or "")


def index_tokens(text: str | None) -> list[str]:
    """Tokens a document's text is indexed with: :func:`tokenize` plus the :func:`subwords` of long tokens."""
    return analyzer().index_tokens(text or "")


def subwords(term: str) -> list[str]:
    """Dictionary sub-words of one analysed token ("正极材料" → ["正极", "材料"]); [] for short or ASCII tokens."""
    return list(analyzer().subwords(canonical(term)))


def search_segments(text: str) -> list[tuple[str, int, int]]:
    """:func:`segments` plus sub-word spans inside long tokens (a query sub-word is highlighted in a long word)."""
    return analyzer().search_segments(text or "")


_CJK_OR_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")


def char_bigrams(text: str | None) -> list[str]:
    """Overlapping CJK character bigrams of ``text`` (a lone CJK character stays a unigram) plus its lower-cased
    ASCII words, in order: a segmentation-free view of a text for comparing two texts that jieba cut differently
    (the ``cjk`` analyzer of Lucene does the same)."""
    out: list[str] = []
    for run in _CJK_OR_WORD.findall(ascii_lower(text or "")):
        if len(run) == 1 or run.isascii():
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def is_word(term: str) -> bool:
    """Whether ``term`` has a letter, digit or mark: words of punctuation, symbols, separators or control characters
    alone are never tokens (nor can a query term be one: the cluster engines index an empty field as a control
    character, see :data:`search.dsl.EMPTY_MARK`)."""
    return not all(unicodedata.category(ch)[0] in "PSZC" for ch in term)


def canonical(term: str) -> str:
    """The canonical form of one already-segmented term (synonyms applied, ASCII lower-cased)."""
    term = ascii_lower(term.strip())
    return analyzer().synonyms.get(term, term)


def segments(text: str) -> list[tuple[str, int, int]]:
    """Canonical tokens with their character spans in ``text`` (used to highlight the original text)."""
    return analyzer().segments(text or "")


def _idf_table() -> tuple[dict[str, float], float]:
    """jieba's IDF table (jieba/analyse/idf.txt), read directly without importing jieba's analyzers."""
    global _idf
    if _idf is None:
        spec = importlib.util.find_spec("jieba")
        idf: dict[str, float] = {}
        if spec is not None and spec.submodule_search_locations:
            path = Path(list(spec.submodule_search_locations)[0]) / "analyse" / "idf.txt"
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    word, _, value = line.rstrip("\n").rpartition(" ")
                    if word:
                        idf[word] = float(value)
        median = sorted(idf.values())[len(idf) // 2] if idf else 10.0
        _idf = (idf, median)
    return _idf


def keywords(text: str | None, k: int = 20) -> list[tuple[str, float]]:
    """The ``k`` most characteristic terms of a long text by TF-IDF, as (token, weight) with weights in (0, 1].

    Tokens are those of :func:`tokenize` (so they can be fed to ``SearchQuery.terms``); single characters and pure
    numbers are skipped. IDF values come from jieba's table; unknown words get the table's median IDF.
    """
    tokens = [t for t in tokenize(text) if len(t) > 1 and not t.replace(".", "").isdigit()]
    if not tokens or k <= 0:
        return []
    idf, median = _idf_table()
    counts = Counter(tokens)
    total = len(tokens)
    scored = [(c / total * idf.get(t, median), t) for t, c in counts.items()]
    best = heapq.nlargest(k, scored)
    top = best[0][0] or 1.0
    return [(t, round(s / top, 4)) for s, t in best]


def idf_weight(term: str) -> float:
    """IDF of one token (median for unknown words); a helper for callers building weighted term queries."""
    idf, median = _idf_table()
    return idf.get(term, median) if term else 0.0


def unique(tokens: Iterable[str], limit: int | None = None) -> list[str]:
    """Tokens without duplicates, first occurrence order, at most ``limit``."""
    seen: dict[str, None] = {}
    for t in tokens:
        if t not in seen:
            seen[t] = None
            if limit is not None and len(seen) >= limit:
                break
    return list(seen)


__all__ = [
    "Analyzer", "INDEX_MODE", "STOPWORDS", "analyzer", "ascii_lower", "canonical", "char_bigrams", "configure", "fingerprint",
    "idf_weight", "index_tokens", "is_word", "keywords", "search_segments", "segments", "subwords", "tokenize", "unique",
]
