"""Question banks: loading and validating the TOML files, and picking questions from them.

A bank is one TOML file: an optional ``[bank]`` table (name, title, description) and one
``[[questions]]`` table per question. Banks come from three places, loaded in this order:
the banks bundled with mockview, the user's own banks in ``<data dir>/banks/*.toml``, and
any extra files given on the command line. Question ids are unique across all of them.

Validation is strict on purpose: a typo in a field name must not silently drop a tip or a
length target, so unknown fields are errors, and every error names the file, the question
and the field.

Parsing and checking the banks is a tenth of a ``mockview progress``, so that command asks
``load_banks`` for the banks kept in ``<data dir>/cache/banks.json``, each under its file's
path, size and modification time: a bank changed, added or removed is read again, and a
cache that cannot be read or written only costs the parsing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from mockview.errors import BankError
from mockview.kinds import KINDS, LengthTarget, length_target
from mockview.paths import data_dir
from mockview.words import QuestionInfo

#: A question is read aloud and a tip at a glance: any text of a bank longer than this is a
#: pasted document.
MAX_TEXT_CHARS = 1000
#: The longest answer a ``target_s`` may ask for, in seconds.
MAX_TARGET_S = 600
#: The most tips or keywords one question may have.
MAX_LIST_ITEMS = 50
#: The largest bank file read; the bundled ones are under 20 kB.
MAX_BANK_BYTES = 1_000_000

QUESTION_FIELDS = ("id", "text", "category", "kind", "target_s", "tips", "keywords")
BANK_FIELDS = ("name", "title", "description")
_TOP_LEVEL_KEYS = ("bank", "questions")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_QUESTIONS_HEADER = re.compile(r"\s*\[\[\s*questions\s*\]\]\s*(#.*)?")
#: Unicode's control characters (category Cc), all of them: one search, not a lookup of
#: each character's category (a tenth of the time progress spent reading the banks).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Question:
    """One interview question from a bank.

    ``target_s`` is the question's own (min, max) answer length in seconds, or None to use
    its kind's default; ``length_target`` resolves the two.
    """

    id: str
    text: str
    category: str
    kind: str
    target_s: tuple[float, float] | None = None
    tips: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    bank: str = ""

    @property
    def length_target(self) -> LengthTarget:
        return length_target(self.kind, self.target_s)

    def info(self) -> QuestionInfo:
        """What the analysis needs to know about this question."""
        return QuestionInfo(text=self.text, kind=self.kind, id=self.id, target_s=self.target_s,
                            keywords=self.keywords, tips=self.tips, category=self.category)

    def to_dict(self) -> dict:
        """The question as JSON-ready data; ``target_s`` is the resolved length target."""
        target = self.length_target
        return {
            "id": self.id,
            "bank": self.bank,
            "category": self.category,
            "kind": self.kind,
            "text": self.text,
            "target_s": [target.min_s, target.max_s],
            "tips": list(self.tips),
            "keywords": list(self.keywords),
        }


@dataclass(frozen=True)
class Bank:
    """One bank file and its questions, in file order."""

    name: str
    title: str
    description: str
    path: Path
    questions: tuple[Question, ...]

    @property
    def categories(self) -> tuple[str, ...]:
        """The bank's categories in order of first appearance."""
        return tuple(dict.fromkeys(q.category for q in self.questions))

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "question_count": len(self.questions),
            "categories": list(self.categories),
            "path": str(self.path),
        }


# --- finding banks -------------------------------------------------------------------------


def bundled_bank_paths() -> list[Path]:
    """The bank files that ship with mockview: core.toml first, then by file name."""
    from importlib.resources import files

    try:
        root = files("mockview.question_banks")
    except ModuleNotFoundError:
        raise BankError("The bundled question banks are missing (no package "
                        "mockview.question_banks). Reinstall mockview.") from None
    paths = [Path(str(item)) for item in root.iterdir() if item.name.endswith(".toml")]
    # The common questions come first: they are where most people start practising.
    return sorted(paths, key=lambda p: (p.name != "core.toml", p.name))


def user_banks_dir() -> Path:
    """Where the user's own bank files go (not created here)."""
    return data_dir() / "banks"


def user_bank_paths() -> list[Path]:
    """The ``*.toml`` files in the user's bank directory, sorted by file name."""
    directory = user_banks_dir()
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.toml"), key=lambda p: p.name)


def load_banks(extra: Iterable[str | os.PathLike] = (), *,
               cached: bool = False) -> tuple[Bank, ...]:
    """Load the bundled banks, the user's banks and ``extra`` bank files, in that order.

    A file reached twice (say, an extra path that is also in the user directory) is loaded
    once. Raises BankError for any invalid bank, and for a question id or bank name used
    in two files, naming both.

    ``cached``: take the banks whose files are unchanged from the cache, and keep the others
    there (``_BankCache``), for commands that read every bank on each run just to list
    questions. It writes to the data directory, so the commands that record leave it off.
    """
    cache = _BankCache.read() if cached else None
    banks: list[Bank] = []
    seen: set[Path] = set()
    for path in [*bundled_bank_paths(), *user_bank_paths(), *(Path(p) for p in extra)]:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        banks.append(cache.load(path, key) if cache is not None else load_bank(path))
    if cache is not None:
        cache.write()
    _check_unique(banks)
    return tuple(banks)


#: Changed whenever what the cache holds for a bank changes shape.
BANK_CACHE_FORMAT = 1
#: A file modified this recently may be modified again within its clock's tick (a second on
#: some file systems) without its size or time changing, so it is not kept in the cache.
BANK_CACHE_MIN_AGE_S = 2.0


def bank_cache_path() -> Path:
    """Where ``load_banks`` keeps the banks it has read."""
    return data_dir() / "cache" / "banks.json"


class _BankCache:
    """The banks read before, each under its file's identity: the path as given and
    resolved, size, modification time and inode. A file whose identity differs is parsed
    and checked again, so an edited, replaced or new bank is never served stale; banks
    that fail to load are never kept. The whole cache is dropped when mockview's bank
    code, or Python, is not the one that wrote it (a check or a field may have changed)."""

    def __init__(self, entries: dict[str, dict]) -> None:
        self.entries = entries
        self.kept: dict[str, dict] = {}
        self.changed = False

    @classmethod
    def read(cls) -> _BankCache:
        """The cache on disk; empty when missing, unreadable, malformed or from other code."""
        try:
            with bank_cache_path().open("rb") as file:
                data = json.load(file)
        except (OSError, ValueError):
            return cls({})
        if not isinstance(data, dict) or data.get("code") != _code_identity():
            return cls({})
        entries = data.get("banks")
        return cls(entries if isinstance(entries, dict) else {})

    def load(self, path: Path, resolved: Path) -> Bank:
        """The bank at ``path``: from the cache when the file is unchanged, else parsed."""
        name = f"{path}\0{resolved}"
        identity = _file_identity(path)
        entry = self.entries.get(name)
        if identity is not None and entry is not None and entry.get("file") == identity:
            try:
                bank = _bank_from_json(entry["bank"], path)
            except (KeyError, TypeError, ValueError):
                pass  # a malformed entry is parsed again, as a missing one
            else:
                self.kept[name] = entry
                return bank
        bank = load_bank(path)
        self.changed = True
        if identity is not None and _old_enough(identity):
            self.kept[name] = {"file": identity, "bank": _bank_to_json(bank)}
        return bank

    def write(self) -> None:
        """Save what was loaded, when it differs from what was read.

        Only into an existing data directory (reading banks must not make one), private
        like the rest of it, through a file renamed into place so that a process reading
        meanwhile sees one whole cache; any failure leaves the banks to be parsed next time.
        """
        if not self.changed and self.kept.keys() == self.entries.keys():
            return
        path = bank_cache_path()
        if not path.parent.parent.is_dir():
            return
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(descriptor, "w", encoding="utf-8") as file:
                json.dump({"code": _code_identity(), "banks": self.kept}, file,
                          ensure_ascii=False)
            os.replace(temporary, path)
        except OSError:
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass


def _file_identity(path: Path) -> list[int] | None:
    """Size, modification time (ns) and inode of ``path``; None when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _old_enough(identity: list[int]) -> bool:
    import time

    return time.time_ns() - identity[1] >= BANK_CACHE_MIN_AGE_S * 1e9


def _code_identity() -> list:
    """What the cached banks depend on besides the bank files: the code that checks them
    (this module and the question kinds) and the Python running it."""
    from mockview import kinds

    return [BANK_CACHE_FORMAT, list(sys.version_info[:3]),
            *(_file_identity(Path(module)) for module in (__file__, kinds.__file__))]


def _bank_to_json(bank: Bank) -> dict:
    return {"name": bank.name, "title": bank.title, "description": bank.description,
            "questions": [[q.id, q.text, q.category, q.kind, q.target_s, q.tips, q.keywords]
                          for q in bank.questions]}


def _bank_from_json(data: dict, path: Path) -> Bank:
    """The bank ``_bank_to_json`` wrote; ``path`` as this call gave it."""
    name = data["name"]
    questions = tuple(
        Question(id=qid, text=text, category=category, kind=kind,
                 target_s=None if target_s is None else tuple(target_s),
                 tips=tuple(tips), keywords=tuple(keywords), bank=name)
        for qid, text, category, kind, target_s, tips, keywords in data["questions"])
    return Bank(name=name, title=data["title"], description=data["description"], path=path,
                questions=questions)


def _check_unique(banks: Sequence[Bank]) -> None:
    bank_by_name: dict[str, Bank] = {}
    bank_by_id: dict[str, Bank] = {}
    for bank in banks:
        other = bank_by_name.setdefault(bank.name, bank)
        if other is not bank:
            raise BankError(f"{_display(bank.path)}: bank name {bank.name!r} is already used by "
                            f"{_display(other.path)}. Set another name under [bank].")
        for question in bank.questions:
            other = bank_by_id.setdefault(question.id, bank)
            if other is not bank:
                raise BankError(
                    f"{_display(bank.path)}: question {question.id!r}: id already used in "
                    f"{_display(other.path)}. Ids must be unique across all banks; rename one."
                )


# --- selecting questions -------------------------------------------------------------------


def resolve_bank(banks: Sequence[Bank], spec: str | os.PathLike) -> Bank:
    """The bank that ``spec`` names: a bank name, or a path to a bank file.

    ``spec`` is a path when it ends in ``.toml`` or holds a path separator. A file that is
    not among ``banks`` is loaded and must not reuse their question ids or names either:
    the history keeps answers by question id.
    """
    if _looks_like_path(spec):
        path = Path(spec)
        if not path.exists():
            raise BankError(f"No such bank file: {_display(path)}. Give the path of a .toml "
                            f"file, or a bank name (see: mockview banks).")
        key = path.resolve()
        for bank in banks:
            if bank.path.resolve() == key:
                return bank
        loaded = load_bank(path)
        _check_unique([*banks, loaded])
        return loaded
    name = str(spec)
    for bank in banks:
        if bank.name == name:
            return bank
    available = ", ".join(b.name for b in banks) or "(none)"
    raise BankError(f"No bank named {name!r}. Banks: {available}. "
                    f"Or give the path of a .toml file.")


def select_questions(
    banks: Sequence[Bank],
    bank: str | os.PathLike | None = None,
    category: str | None = None,
    ids: Iterable[str] | None = None,
) -> list[Question]:
    """The questions of ``banks`` that match every filter given, in bank order.

    ``bank`` is a bank name or a path to a bank file (see ``resolve_bank``); ``category``
    must be one the chosen banks use; with ``ids`` the result follows their order.
    """
    scope = [resolve_bank(banks, bank)] if bank is not None else list(banks)
    pool = [q for b in scope for q in b.questions]
    if category is not None:
        wanted = category.strip().lower()
        categories = list(dict.fromkeys(q.category for q in pool))
        if wanted not in categories:
            where = f" in bank {scope[0].name!r}" if bank is not None else ""
            close = _close_matches(wanted, categories)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise BankError(f"No category {category!r}{where}.{hint} Categories: "
                            f"{', '.join(categories) or '(none)'}.")
        pool = [q for q in pool if q.category == wanted]
    if ids is not None:
        pool = [_find(pool, i) for i in ids]
    return pool


def find_question(banks: Sequence[Bank], id: str) -> Question:
    """The question with this id (any case), or a BankError that suggests close matches."""
    return _find([q for b in banks for q in b.questions], id)


def _find(pool: Sequence[Question], id: str) -> Question:
    wanted = id.strip().lower()
    for question in pool:
        if question.id == wanted:
            return question
    close = _close_matches(wanted, [q.id for q in pool])
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise BankError(f"No question with id {id!r}.{hint} List the ids with: mockview questions")


def _close_matches(wanted: str, choices: Sequence[str]) -> list[str]:
    """Choices containing ``wanted``, then similar spellings; at most five."""
    import difflib  # for messages only

    close = [c for c in choices if wanted and wanted in c]
    close += difflib.get_close_matches(wanted, choices, n=3, cutoff=0.6)
    return list(dict.fromkeys(close))[:5]


def _looks_like_path(spec: str | os.PathLike) -> bool:
    """Bank names are slugs, so a .toml suffix or a path separator means a file."""
    if not isinstance(spec, str):
        return True
    return spec.endswith(".toml") or any(sep and sep in spec for sep in ("/", os.sep, os.altsep))


# --- loading one bank ----------------------------------------------------------------------


def load_bank(path: str | os.PathLike) -> Bank:
    """Read and validate one bank file.

    Raises BankError naming the file, the question (by id, or by position and line when the
    id itself is the problem) and the field, with what to do about it.
    """
    if sys.version_info >= (3, 11):  # imported here: banks found in the cache need no parser
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    path = Path(path)
    where = _display(path)
    text = _read_text(path, where)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BankError(f"{where}: invalid TOML: {error}.") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise BankError(f"{where}: invalid TOML: arrays or tables nested too deeply. "
                        f"A bank needs no nesting beyond [[questions]] and their "
                        f"arrays.") from None

    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            hint = (" Put it under [bank]." if key in BANK_FIELDS
                    else _did_you_mean(key, _TOP_LEVEL_KEYS))
            raise BankError(f"{where}: unknown top-level key {key!r}.{hint} A bank file holds "
                            f"one [bank] table and [[questions]] tables.")
    name, title, description = _bank_table(data.get("bank", {}), path, where)

    items = data.get("questions")
    if items is None or items == []:
        raise BankError(f"{where}: no questions. Add at least one [[questions]] table with "
                        f"id, text, category and kind.")
    if not isinstance(items, list):
        raise BankError(f"{where}: 'questions' must be an array of tables ([[questions]]) "
                        f"(got {_describe(items)}).")
    lines = _header_lines(text, len(items))
    questions: list[Question] = []
    first_seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        question = _question(item, number, lines[number - 1], name, where)
        if question.id in first_seen:
            raise BankError(f"{where}: question {question.id!r} appears twice (questions "
                            f"#{first_seen[question.id]} and #{number}). Give each question "
                            f"its own id.")
        first_seen[question.id] = number
        questions.append(question)
    return Bank(name=name, title=title, description=description, path=path,
                questions=tuple(questions))


def _read_text(path: Path, where: str) -> str:
    try:
        # A FIFO or a device would block or never end: only regular files are opened.
        if path.exists() and not path.is_dir() and not path.is_file():
            raise BankError(f"{where} is not a regular file. Give the path of a .toml file.")
        with path.open("rb") as file:
            raw = file.read(MAX_BANK_BYTES + 1)
    except FileNotFoundError:
        raise BankError(f"No such file: {where}. Check the path and try again.") from None
    except IsADirectoryError:
        raise BankError(f"{where} is a directory, not a question bank. "
                        f"Give the path of a .toml file.") from None
    except OSError as error:
        raise BankError(f"{where}: cannot read the file ({error.strerror}).") from None
    if len(raw) > MAX_BANK_BYTES:
        raise BankError(f"{where}: the file is over {MAX_BANK_BYTES // 1_000_000} MB; a "
                        f"question bank is a few kilobytes. Split it, or check that it is "
                        f"the right file.")
    try:
        # utf-8-sig: editors on Windows like to start UTF-8 files with a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise BankError(f"{where}: not valid UTF-8 (byte 0x{raw[error.start]:02x} on line "
                        f"{line}). Save the file with UTF-8 encoding.") from None


def _bank_table(meta: object, path: Path, where: str) -> tuple[str, str, str]:
    if not isinstance(meta, dict):
        raise BankError(f"{where}: 'bank' must be a table ([bank]) (got {_describe(meta)}).")

    def fail(message: str) -> NoReturn:
        raise BankError(f"{where}: [bank]: {message}")

    for key in meta:
        if key not in BANK_FIELDS:
            fail(f"unknown field {key!r}.{_did_you_mean(key, BANK_FIELDS)} "
                 f"Fields: {', '.join(BANK_FIELDS)}.")
    for key in BANK_FIELDS:
        if key not in meta:
            continue
        if not isinstance(meta[key], str):
            fail(f"{key!r} must be a string (got {_describe(meta[key])}).")
        _check_characters(" ".join(meta[key].split()), repr(key), fail)
    if "name" in meta:
        name = meta["name"]
        if not _SLUG.fullmatch(name):
            fail(f"'name' must be a lower-case slug like 'my-questions': letters, digits and "
                 f"single hyphens (got {name!r}).")
    else:
        name = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "bank"
    title = " ".join(meta.get("title", "").split()) or name
    description = " ".join(meta.get("description", "").split())
    return name, title, description


def _question(item: object, number: int, line: int | None, bank: str, where: str) -> Question:
    position = f"question #{number}" + (f" (line {line})" if line else "")
    if not isinstance(item, dict):
        raise BankError(f"{where}: {position}: must be a table with id, text, category and "
                        f"kind (got {_describe(item)}).")

    def fail(message: str) -> NoReturn:
        raise BankError(f"{where}: {label}: {message}")

    label = position
    if "id" not in item:
        fail("missing 'id'. Give every question a unique lower-case id like 'beh-07'.")
    qid = item["id"]
    if not isinstance(qid, str):
        fail(f"'id' must be a string (got {_describe(qid)}).")
    if not _SLUG.fullmatch(qid):
        fail(f"'id' must be a lower-case slug like 'beh-07': letters, digits and single "
             f"hyphens (got {qid!r}).")
    label = f"question {qid!r}"

    for key in item:
        if key not in QUESTION_FIELDS:
            fail(f"unknown field {key!r}.{_did_you_mean(key, QUESTION_FIELDS)} "
                 f"Fields: {', '.join(QUESTION_FIELDS)}.")

    advice = {
        "text": "Add the question as it is asked.",
        "category": "Add a category such as 'behavioral'.",
        "kind": f"Add a kind: one of {', '.join(KINDS)}.",
    }
    values: dict[str, str] = {}
    for key in ("text", "category", "kind"):
        if key not in item:
            fail(f"missing {key!r}. {advice[key]}")
        value = item[key]
        if not isinstance(value, str):
            fail(f"{key!r} must be a string (got {_describe(value)}).")
        # Multi-line TOML strings are handy for long questions; shown as one line.
        value = " ".join(value.split())
        if not value:
            fail(f"{key!r} is empty. {advice[key]}")
        _check_characters(value, repr(key), fail)
        values[key] = value

    text = values["text"]
    category = values["category"]
    if not _SLUG.fullmatch(category):
        fail(f"'category' must be a lower-case slug like 'teamwork-and-conflict' "
             f"(got {category!r}).")
    kind = values["kind"]
    if kind not in KINDS:
        fail(f"'kind' must be one of {', '.join(KINDS)} (got {kind!r}).")

    target_s = None
    if "target_s" in item:
        value = item["target_s"]
        numbers = (isinstance(value, list) and len(value) == 2
                   and all(_is_number(v) for v in value))
        if not numbers:
            fail(f"'target_s' must be [min, max] in seconds, like [60, 90] "
                 f"(got {_describe(value)}).")
        low, high = value
        if not 0 < low < high <= MAX_TARGET_S:
            fail(f"'target_s' must have 0 < min < max <= {MAX_TARGET_S} seconds "
                 f"(got {_show(value)}).")
        target_s = (low, high)

    lists: dict[str, tuple[str, ...]] = {}
    for key in ("tips", "keywords"):
        value = item.get(key, [])
        if not isinstance(value, list):
            fail(f"{key!r} must be an array of strings (got {_describe(value)}).")
        if len(value) > MAX_LIST_ITEMS:
            fail(f"{key!r} has {len(value)} items; the limit is {MAX_LIST_ITEMS}. Keep the "
                 f"few that matter most.")
        for n, entry in enumerate(value, start=1):
            if not isinstance(entry, str) or not entry.strip():
                fail(f"{key!r} item #{n} must be a non-empty string (got {_describe(entry)}).")
            _check_characters(" ".join(entry.split()), f"{key!r} item #{n}", fail)
        lists[key] = tuple(" ".join(entry.split()) for entry in value)
    # Relevance matching compares against lower-cased transcripts.
    keywords = tuple(dict.fromkeys(k.lower() for k in lists["keywords"]))

    return Question(id=qid, text=text, category=category, kind=kind, target_s=target_s,
                    tips=lists["tips"], keywords=keywords, bank=bank)


def _check_characters(value: str, label: str, fail: Callable[[str], NoReturn]) -> None:
    """Refuse text too long to show, or with control characters (a terminal would obey an
    escape sequence in a question rather than show it)."""
    if len(value) > MAX_TEXT_CHARS:
        what = "the question: it is meant to be read aloud" if label == "'text'" else "it"
        fail(f"{label} is {len(value)} characters long; the limit is {MAX_TEXT_CHARS}. "
             f"Shorten {what}.")
    control = _CONTROL.search(value)
    if control is not None:
        fail(f"{label} holds the control character U+{ord(control[0]):04X}. Remove it.")


# --- helpers for messages ------------------------------------------------------------------


def _display(path: Path) -> str:
    """The path as the user gave it, or relative to the working directory when inside it."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def _header_lines(text: str, count: int) -> list[int | None]:
    """The line of each ``[[questions]]`` header, when they can be matched to the items.

    tomllib reports no positions for parsed values, so this scans for the headers; when
    their number does not match (inline arrays, headers inside strings) lines are omitted.
    """
    lines = [n for n, line in enumerate(text.splitlines(), start=1)
             if _QUESTIONS_HEADER.fullmatch(line)]
    return list(lines) if len(lines) == count else [None] * count


def _did_you_mean(key: str, choices: Sequence[str]) -> str:
    import difflib  # for messages only

    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TOML_TYPES = ((bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"),
               (list, "array"), (dict, "table"))


def _describe(value: object) -> str:
    """A value with its TOML type, for messages: ``integer 5``, ``string 'x'``."""
    for python_type, toml_name in _TOML_TYPES:
        if isinstance(value, python_type):
            return f"{toml_name} {_show(value)}" if toml_name != "table" else "a table"
    return f"{type(value).__name__} {_show(value)}"


def _show(value: object) -> str:
    """A value written roughly as in TOML, cut short when long."""
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, list):
        shown = "[" + ", ".join(_show(v) for v in value) + "]"
    elif isinstance(value, dict):
        shown = "{...}"
    elif isinstance(value, str):
        shown = repr(value)
    else:
        shown = str(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
