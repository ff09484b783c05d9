"""Admin-editable search dictionaries: synonym groups and user-dictionary words kept in the instance folder
(``<instance>/search/synonyms.txt`` and ``<instance>/search/user_dict.txt``), loaded by :mod:`search.analysis` on
top of the built-in ``search/dictionaries/``.

Every process (each gunicorn worker, the indexer worker, the CLI) calls :func:`configure_analysis` at start-up and
:func:`refresh_if_changed` before requests: a cheap ``stat`` of the two files at most once per second, and a
reconfiguration only when one of them changed. Saving goes through :func:`save_synonyms` / :func:`save_words`:
validated, written atomically (temporary file + ``os.replace``), then this process is reconfigured at once.

Changing dictionaries changes tokens: documents indexed before the change keep their old tokens until the index is
rebuilt. :func:`record_index_fingerprint` (connected to the indexer's ``index_rebuilt`` signal) remembers, per
kind, the analysis fingerprint each index was last rebuilt with, so the admin page can tell when a rebuild is due.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, has_app_context, has_request_context
from flask_babel import gettext

from search import analysis

from ..indexing.documents import KINDS
from ..indexing.indexer import index_rebuilt
from ..timeutil import utcnow

SYNONYMS_FILE = "synonyms.txt"
USER_DICT_FILE = "user_dict.txt"
FINGERPRINTS_FILE = "index_analysis.json"

MAX_FILE_CHARS = 200_000
MAX_LINES = 5_000
MAX_TERMS_PER_GROUP = 30
MAX_TERM_CHARS = analysis.MAX_TOKEN_CHARS
MAX_FREQUENCY = 1_000_000
CHECK_INTERVAL = 1.0  # seconds between two stat() checks of the files in one process

SYNONYMS_HEADER = ("# Synonym groups added by platform administrators: one group per line, terms separated by commas;\n"
                   "# every term is searched as the group's FIRST term. Edited on /admin/search or with\n"
                   "# `flask search synonyms add`. A change needs `flask search reindex` for indexed documents.\n")
USER_DICT_HEADER = ("# Words added by platform administrators (jieba format: word [frequency] [tag]); they are never\n"
                    "# split by the tokenizer. A change needs `flask search reindex` for indexed documents.\n")


# -- where the files live ---------------------------------------------------------------------------------------------

def search_dir(app: Flask | None = None) -> Path:
    app = app or current_app
    return Path(app.instance_path) / "search"


def synonyms_path(app: Flask | None = None) -> Path:
    return search_dir(app) / SYNONYMS_FILE


def user_dict_path(app: Flask | None = None) -> Path:
    return search_dir(app) / USER_DICT_FILE


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def editable_lines(path: Path) -> str:
    """The file's entries without comment lines (what the admin form shows)."""
    lines = [line.strip() for line in read_text(path).splitlines()]
    return "\n".join(line for line in lines if line and not line.startswith("#"))


# -- validation -------------------------------------------------------------------------------------------------------

@dataclass
class Parsed:
    entries: list = field(default_factory=list)  # synonym groups (list[str]) or words ((word, freq, tag))
    errors: list[str] = field(default_factory=list)  # messages, each naming its line


def _(text: str, **params) -> str:
    """A validation message, translated for the current request's language (plain Chinese in the CLI)."""
    if has_request_context():
        return gettext(text, **params)
    return text % params if params else text


def _control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in "\n\r\t" for ch in text)


def _check_size(text: str, errors: list[str]) -> list[str] | None:
    if len(text) > MAX_FILE_CHARS:
        errors.append(_("内容过长：最多 %(n)s 个字符", n=f"{MAX_FILE_CHARS:,}"))
        return None
    if _control_characters(text):
        errors.append(_("内容含有控制字符或不可见字符，请删除后再保存"))
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if sum(1 for line in lines if line.strip()) > MAX_LINES:
        errors.append(_("行数过多：最多 %(n)s 行", n=f"{MAX_LINES:,}"))
        return None
    return lines


def _check_term(term: str, number: int, errors: list[str]) -> bool:
    if any(ch.isspace() for ch in term):
        errors.append(_("第 %(line)s 行：「%(term)s」含有空格；每个词必须是一个词语（多个词请用逗号分隔）", line=number, term=term))
        return False
    if len(term) > MAX_TERM_CHARS:
        errors.append(_("第 %(line)s 行：「%(term)s…」过长（最多 %(n)s 个字符）", line=number, term=term[:20], n=MAX_TERM_CHARS))
        return False
    if all(unicodedata.category(ch)[0] in "PSZ" for ch in term):
        errors.append(_("第 %(line)s 行：「%(term)s」只有标点或符号", line=number, term=term))
        return False
    if term.startswith("#"):
        errors.append(_("第 %(line)s 行：词语不能以 # 开头", line=number))
        return False
    return True


def builtin_synonyms() -> dict[str, str]:
    """Term → canonical term of the built-in synonym groups."""
    mapping: dict[str, str] = {}
    for line in analysis._read_lines(analysis.BUILTIN_SYNONYMS):  # noqa: SLF001 (same parser as the analyzer)
        group = analysis._parse_synonym_line(line)  # noqa: SLF001
        for term in group:
            mapping.setdefault(term, group[0])
    return mapping


def parse_synonyms(text: str) -> Parsed:
    """Validate synonym groups: one group per line, terms separated by commas (``,`` ``，`` ``、``), at least two
    different terms, single words without control characters. A term that already belongs to a group (built-in
    or an earlier line) may only appear in a group that starts with that group's canonical term (which extends
    the group); anything else would be silently ignored by the analyzer, so it is refused."""
    out = Parsed()
    lines = _check_size(text, out.errors)
    if lines is None:
        return out
    known = builtin_synonyms()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        terms = [analysis.ascii_lower(t.strip()) for t in line.replace("，", ",").replace("、", ",").split(",")]
        terms = [t for t in terms if t]
        if not all(_check_term(t, number, out.errors) for t in terms):
            continue
        if len(set(terms)) < 2:
            out.errors.append(_("第 %(line)s 行：同义词组至少需要两个不同的词，用逗号分隔", line=number))
            continue
        if len(terms) > MAX_TERMS_PER_GROUP:
            out.errors.append(_("第 %(line)s 行：一组最多 %(n)s 个词", line=number, n=MAX_TERMS_PER_GROUP))
            continue
        if len(set(terms)) != len(terms):
            out.errors.append(_("第 %(line)s 行：组内有重复的词", line=number))
            continue
        canonical = terms[0]
        conflict = False
        for term in terms:
            existing = known.get(term)
            if existing is not None and existing != canonical:
                out.errors.append(_("第 %(line)s 行：「%(term)s」已属于同义词组「%(group)s」；要扩展该组，请把「%(group)s」写在本行第一个",
                                      line=number, term=term, group=existing))
                conflict = True
        if conflict:
            continue
        for term in terms:
            known.setdefault(term, canonical)
        out.entries.append(terms)
    return out


def parse_words(text: str) -> Parsed:
    """Validate user-dictionary lines: ``word [frequency] [tag]`` (frequency 1–1,000,000, tag letters only)."""
    out = Parsed()
    lines = _check_size(text, out.errors)
    if lines is None:
        return out
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        word = analysis.ascii_lower(fields[0])
        if len(fields) > 3:
            out.errors.append(_("第 %(line)s 行：格式应为「词语 [词频] [词性]」，词语内不能有空格", line=number))
            continue
        if not _check_term(word, number, out.errors):
            continue
        freq = None
        if len(fields) > 1:
            if not fields[1].isdigit() or not 1 <= int(fields[1]) <= MAX_FREQUENCY:
                out.errors.append(_("第 %(line)s 行：词频应为 1 到 %(n)s 之间的整数", line=number, n=f"{MAX_FREQUENCY:,}"))
                continue
            freq = int(fields[1])
        tag = None
        if len(fields) > 2:
            if not (fields[2].isascii() and fields[2].isalpha() and len(fields[2]) <= 8):
                out.errors.append(_("第 %(line)s 行：词性应为不超过 8 个字母的标记，如 n、nz", line=number))
                continue
            tag = fields[2]
        if word in seen:
            continue  # a repeated word is harmless: keep the first
        seen.add(word)
        out.entries.append((word, freq, tag))
    return out


def format_synonyms(groups: list[list[str]]) -> str:
    return SYNONYMS_HEADER + "".join(", ".join(group) + "\n" for group in groups)


def format_words(words: list[tuple[str, int | None, str | None]]) -> str:
    body = ""
    for word, freq, tag in words:
        body += " ".join(str(part) for part in (word, freq or 2000, tag) if part is not None) + "\n"
    return USER_DICT_HEADER + body


# -- saving -----------------------------------------------------------------------------------------------------------

def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: readers see the old or the new file, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save(app: Flask, synonyms: Parsed | None = None, words: Parsed | None = None) -> tuple[str, str]:
    """Write valid parsed dictionaries and reconfigure this process. Indexes with no recorded fingerprint were
    built with the analysis in effect until now: that is recorded first, so the admin page can say a rebuild is
    due. Returns (fingerprint before, fingerprint after)."""
    assert not (synonyms and synonyms.errors) and not (words and words.errors)
    before = analysis.fingerprint()
    if words is not None:
        write_atomically(user_dict_path(app), format_words(words.entries))
    if synonyms is not None:
        write_atomically(synonyms_path(app), format_synonyms(synonyms.entries))
    after = configure_analysis(app)
    if after != before:
        recorded = index_fingerprints(app)
        for kind in KINDS:
            if kind not in recorded:
                record_index_fingerprint(app, kind, before, when="")
    return before, after


def save_synonyms(app: Flask, text: str) -> Parsed:
    """Validate and save the synonym groups; reconfigures this process when valid."""
    parsed = parse_synonyms(text)
    if not parsed.errors:
        save(app, synonyms=parsed)
    return parsed


def save_words(app: Flask, text: str) -> Parsed:
    parsed = parse_words(text)
    if not parsed.errors:
        save(app, words=parsed)
    return parsed


# -- loading into search.analysis -----------------------------------------------------------------------------------

_lock = threading.Lock()
_state: dict = {"signature": None, "fingerprint": None, "checked": 0.0}


def _signature(app: Flask) -> tuple:
    out = []
    for path in (user_dict_path(app), synonyms_path(app)):
        try:
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size, st.st_ino))
        except FileNotFoundError:
            out.append((str(path), None))
    return tuple(out)


def configure_analysis(app: Flask) -> str:
    """Load the built-in dictionaries plus the instance folder's files (missing files are fine). Returns the
    analysis fingerprint. Call it once from ``create_app``; :func:`refresh_if_changed` keeps it current."""
    with _lock:
        signature = _signature(app)
        fingerprint = analysis.configure(user_dict_paths=[user_dict_path(app)], synonym_paths=[synonyms_path(app)])
        _state.update(signature=signature, fingerprint=fingerprint, checked=time.monotonic())
    return fingerprint


def refresh_if_changed(app: Flask, force: bool = False) -> bool:
    """Reconfigure when a dictionary file changed since this process last loaded it (another worker saved it, or
    the CLI did). Looks at most once per :data:`CHECK_INTERVAL`. Returns whether it reconfigured."""
    now = time.monotonic()
    if not force and now - _state["checked"] < CHECK_INTERVAL:
        return False
    _state["checked"] = now
    if _signature(app) == _state["signature"] and analysis.fingerprint() == _state["fingerprint"]:
        return False
    configure_analysis(app)
    return True


# -- which analysis each index was built with ---------------------------------------------------------------------

def fingerprints_path(app: Flask | None = None) -> Path:
    return search_dir(app) / FINGERPRINTS_FILE


def index_fingerprints(app: Flask | None = None) -> dict[str, dict]:
    """``{kind: {"fingerprint": ..., "at": ...}}`` recorded at each rebuild; {} when never recorded."""
    try:
        data = json.loads(read_text(fingerprints_path(app)) or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def record_index_fingerprint(app: Flask, kind: str, fingerprint: str | None = None, when: str | None = None) -> None:
    data = index_fingerprints(app)
    data[kind] = {"fingerprint": fingerprint or analysis.fingerprint(),
                  "at": utcnow().isoformat(timespec="seconds") + "Z" if when is None else when}
    write_atomically(fingerprints_path(app), json.dumps(data, ensure_ascii=False, indent=1))


@index_rebuilt.connect
def _on_index_rebuilt(sender, kind=None, **extra) -> None:
    """Every rebuild (the admin page's button or ``flask search reindex``) records the analysis it used."""
    if kind and has_app_context():
        try:
            record_index_fingerprint(current_app._get_current_object(), kind)
        except OSError:  # a read-only instance folder must not fail a rebuild
            pass
