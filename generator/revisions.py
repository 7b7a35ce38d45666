"""The generated distribution's version and changelog, derived from the spec revision
recorded in the output folder.

Every generation writes `.generator-spec.json` into the output folder: the loaded spec
(as JSON, in document order), the client version and the release history. The next run
compares the recorded spec with the new one through the IR (generator/diff.py) and bumps
the version: major for a breaking change, minor for an addition, patch for anything else
the diff reports (documentation, defaults, the spec's info.version). A spec change the
client cannot see (an example, an extension, key order) updates the record but keeps the
version; an unchanged spec changes nothing at all.

The record holds the whole history, so CHANGELOG.md is rendered from it like any other
generated file: same spec + same record => same bytes, and `check` sees a stale record.
There are no dates: each entry names the spec's info.version instead.

The first generation into a folder without a record is 1.0.0, so that every later bump
keeps its semver meaning (under 0.x a breaking change would be a minor bump).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, NoReturn, cast

from . import forked
from .cache import Cache, bytes_digest, known_digest, text_digest
from .config import Config
from .diagnostics import Diagnostics, GenerationFailed, Level
from .diff import BREAKING, COMPATIBLE, PATCH, Change, Report, diff_apis
from .model.build import build_api
from .model.operation import Api, Release
from .model_memo import Slot
from .part_memo import PartMemo
from .render import OutputFile
from .spec_parts import SpecParts

RECORD = ".generator-spec.json"
RECORD_FORMAT = 1
FIRST_VERSION = "1.0.0"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class RecordError(Exception):
    pass


@dataclass(frozen=True)
class Record:
    version: str
    releases: tuple[Release, ...]
    spec: Any
    text_digest: str = ""  # of the file it was read from (two reads of it compare)


def normalise(data: Any) -> Any:
    """The spec as it reads back from JSON: keys become strings, order is kept, values
    JSON has no form for become their text. What the record stores and diffs."""
    return json.loads(json.dumps(data, ensure_ascii=True, default=str))


def bump(version: str, level: str) -> str:
    match = _SEMVER.match(version)
    if match is None:
        raise RecordError(f"recorded version {version!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = (int(x) for x in match.groups())
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _release_json(release: Release) -> dict[str, Any]:
    return {
        "version": release.version,
        "spec_version": release.spec_version,
        "bump": release.bump,
        "breaking": list(release.breaking),
        "added": list(release.added),
        "other": list(release.other),
    }


def _release_from(raw: Any) -> Release:
    if not isinstance(raw, dict):
        raise RecordError("a release is not an object")

    def lines(key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RecordError(f"release {key!r} is not a list of strings")
        return tuple(value)

    version, spec_version, level = (raw.get(k) for k in ("version", "spec_version", "bump"))
    if not (isinstance(version, str) and isinstance(spec_version, str) and isinstance(level, str)):
        raise RecordError("a release lacks version, spec_version or bump")
    return Release(version, spec_version, level, lines("breaking"), lines("added"), lines("other"))


def parse_record(text: str, where: str) -> Record:
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise RecordError(f"{where}: not JSON ({exc})") from None
    return _record_from(raw, text, where, with_spec=True)


def _record_from(raw: Any, text: str, where: str, *, with_spec: bool, text_key: str | None = None) -> Record:
    if not isinstance(raw, dict) or raw.get("format") != RECORD_FORMAT:
        raise RecordError(f"{where}: not a revision record of format {RECORD_FORMAT}")
    version, releases, spec = raw.get("version"), raw.get("releases"), raw.get("spec")
    if not isinstance(version, str) or not _SEMVER.match(version):
        raise RecordError(f"{where}: version {version!r} is not MAJOR.MINOR.PATCH")
    if not isinstance(releases, list) or (with_spec and not isinstance(spec, dict)):
        raise RecordError(f"{where}: lacks releases or spec")
    try:
        return Record(version, tuple(_release_from(r) for r in releases), spec, text_key or text_digest(text))
    except RecordError as exc:
        raise RecordError(f"{where}: {exc}") from None


# Where the spec starts in a record as this module writes it. Nothing else in the
# record can read so: JSON strings hold no line break, and everything below the top
# level is indented further.
_SPEC_KEY = '\n "spec": '


def _record_head(text: str, where: str, text_key: str | None = None) -> tuple[Record, int]:
    """The record's version and releases, its spec left unread (`spec` is None) when the
    text is laid out as `record_file` writes it, with where its spec starts; else the
    whole record, and -1. (A spec broken past the head is found when it is read: see
    Previous.api.)"""
    at = text.find("," + _SPEC_KEY)
    # the spec, a mapping one level in, closes the record: no key follows it
    if at < 0 or not text.endswith("\n }\n}\n"):
        return parse_record(text, where), -1
    try:
        raw = json.loads(text[:at] + "\n}")
    except ValueError:
        return parse_record(text, where), -1
    return _record_from(raw, text, where, with_spec=False, text_key=text_key), at


def read_record(folder: Path) -> Record | None:
    text = _record_text(folder)
    return None if text is None else parse_record(text, str(folder / RECORD))


def _record_text(folder: Path) -> str | None:
    read = _read_record(folder)
    return read[0] if read is not None else None


def _read_record(folder: Path, known: Callable[[Path, os.stat_result], str | None] | None = None) -> tuple[str, str] | None:
    """The record's text as text mode reads it, and its `text_digest`: taken from
    `known` (the digest the last run's stamp holds for the file, by the signature of the
    file as opened) when it gives one, else computed (from the bytes, when text mode
    translated no line ending)."""
    path = folder / RECORD
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
        text = data.decode("utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"{path}: {exc}") from None
    if "\r" in text:  # (as text mode reads it)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return text, text_digest(text)
    return text, (known(path, st) if known is not None else None) or bytes_digest(data)


def record_file(record: Record, spec_text: str | None = None) -> OutputFile:
    """The record as written into the output folder; `spec_text` is `spec_json` of its
    spec when known (it is the bulk of the work)."""
    head = {"format": RECORD_FORMAT, "version": record.version, "releases": [_release_json(r) for r in record.releases]}
    if spec_text is None:
        spec_text = spec_json(record.spec)
    return OutputFile(RECORD, record_json(head)[:-2] + "," + _SPEC_KEY + spec_text + "\n}\n")


def spec_json(spec: Any) -> str:
    """The JSON of a (normalised) spec as a record holds it: one level in."""
    text = _plain_json(spec)
    if text is None:
        # JSON strings hold no line break: every line break starts a line to indent
        text = json.dumps(spec, indent=1, ensure_ascii=True, default=str).replace("\n", "\n ")
    return text


def _plain_json(data: Any) -> str | None:
    """`spec_json(data)` when `data` is plain JSON data (so `normalise` would give it back
    equal); else None."""
    out: list[str] = []
    try:
        _indented(data, out, 1)
    except (_NotPlain, RecursionError, ValueError):  # ValueError: an int too long to print
        return None
    return "".join(out)


class _NotPlain(Exception):
    pass


SPEC_JSON_KIND = "spec-json"


def remembered_spec_json(cache: Cache, path: str, parts: SpecParts | None, data: Any) -> str | None:
    """`_plain_json(data)`, each top-level value's and path item's text taken from the
    memo of the spec file at `path` where that part is unchanged (part_memo.py)."""
    paths = data.get("paths") if type(data) is dict else None
    items = list(paths.items()) if type(paths) is dict and paths else None
    if parts is None or type(data) is not dict or not data or (items is not None and len(items) != len(parts.items)):
        return _plain_json(data)
    memo = PartMemo(cache, SPEC_JSON_KIND, path, parts, lambda text: type(text) is str)
    # as _indented writes the document one level in, its values two, path items three
    out = ["{\n  "]
    try:
        for key, value in data.items():
            if type(key) is not str:
                return None
            if len(out) > 1:
                out.append(",\n  ")
            out.append(_string(key) + ": ")
            if key == "paths" and items is not None:
                out.append("{\n   ")
                for index, (name, item) in enumerate(items):
                    if type(name) is not str:
                        return None
                    if index:
                        out.append(",\n   ")
                    out.append(_string(name) + ": " + memo.item(index, lambda: _text(item, 3)))
                out.append("\n  }")
            else:
                out.append(memo.outside(key, lambda: _text(value, 2)))
    except (_NotPlain, RecursionError, ValueError):  # ValueError: an int too long to print
        return None
    memo.save()
    out.append("\n }")
    return "".join(out)


def _text(value: Any, level: int) -> str:
    """What `_indented` writes of `value` at `level`."""
    out: list[str] = []
    _indented(value, out, level)
    return "".join(out)


def record_json(value: Any) -> str:
    """`json.dumps(value, indent=1, ensure_ascii=True, default=str)`, the same bytes in
    half the time for plain JSON data (what a record holds: its spec is normalised); the
    library's encoder for anything else."""
    out: list[str] = []
    try:
        _indented(value, out, 0)
    except (_NotPlain, RecursionError):
        return json.dumps(value, indent=1, ensure_ascii=True, default=str)
    return "".join(out)


_string = json.encoder.encode_basestring_ascii


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is float:
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise _NotPlain


def _indented(value: Any, out: list[str], level: int) -> None:
    kind = type(value)
    if kind is str:
        out.append(_string(value))
    elif kind is dict or kind is list:
        if not value:
            out.append("{}" if kind is dict else "[]")
            return
        inner = "\n" + " " * (level + 1)
        separator = "," + inner
        out.append(("{" if kind is dict else "[") + inner)
        first = True
        for key in value:
            if not first:
                out.append(separator)
            first = False
            if kind is dict:
                if type(key) is not str:
                    raise _NotPlain
                out.append(_string(key) + ": ")
                key = value[key]
            if type(key) is str:
                out.append(_string(key))
            else:
                _indented(key, out, level + 1)
        out.append("\n" + " " * level + ("}" if kind is dict else "]"))
    else:
        out.append(_scalar(value))


def model_quietly(spec: Any, config: Config) -> Api | None:
    """The IR of a recorded spec; its warnings were reported when it was generated."""
    try:
        return build_api(spec, config, Diagnostics())
    except Exception:  # an unreadable old revision must not stop the new one
        return None


def release_of(version: str, spec_version: str, level: str, report: Report) -> Release:
    def lines(level: str) -> tuple[str, ...]:
        return tuple(c.line() for c in report.changes if c.level == level)

    return Release(version, spec_version, level, lines(BREAKING), lines(COMPATIBLE), lines(PATCH))


class Previous:
    """The record in the output folder, and the IR of its spec, needed when the spec
    changed. With `beside`, a forked child models the recorded spec from the start of
    the run, off the critical path of a regeneration after an edit: by the time the
    new spec is loaded and modelled, the old one's IR is waiting. When the spec turns
    out unchanged, the child is stopped and its work dropped.

    This process reads only the record's version and releases (`record.spec` is None
    when the rest is left unread): whether the spec changed is told by the text."""

    def __init__(self, config: Config, beside: bool = False, memo: Slot | None = None) -> None:
        self.config = config
        self.record: Record | None = None
        self.error: RecordError | None = None
        self.child: forked.Child | None = None
        self.text: str | None = None
        self.spec_at = -1  # where the spec starts in `text`, when only the head was read
        # the IR of the recorded spec, kept by the run that wrote the record
        self.memo: Slot | None = None
        self.spec_plain = False  # whether derive recorded the new spec's data as it is
        try:
            read = _read_record(config.output, lambda path, st: known_digest(config, path, st))
            if read is not None:
                self.text = read[0]
                self.record, self.spec_at = _record_head(self.text, str(config.output / RECORD), read[1])
        except RecordError as exc:
            self.error = exc
            return
        if self.record is None:
            return
        if memo is not None and memo.serves_record(self.record.text_digest):
            self.memo = memo
        elif beside and forked.can_fork():
            self.child = forked.Child(lambda: _model_record(config))

    def holds(self, spec_text: str) -> bool:
        """Whether the record is its head followed by the spec whose `spec_json` is
        `spec_text`, exactly as `record_file` writes it (False may also mean a record
        laid out otherwise, read as a change)."""
        if self.text is None or self.spec_at < 0:
            return False
        text, at, opening, closing = self.text, self.spec_at, "," + _SPEC_KEY, "\n}\n"
        # (compared in place: the record and the spec are megabytes on a large spec)
        return (
            len(text) - at == len(opening) + len(spec_text) + len(closing)
            and text.startswith(opening, at)
            and text.startswith(spec_text, at + len(opening))
            and text.endswith(closing)
        )

    def api(self) -> Api | None:
        """The IR of the recorded spec (None when it cannot be modelled); `record` is
        then the record as read whole (a head followed by more than the spec, say a key
        repeated, reads otherwise). RecordError when the record is broken past its head."""
        assert self.record is not None and self.text is not None
        if self.memo is not None:
            api = self.memo.api()
            if api is not None:
                return api
        if self.child is not None:
            child, self.child = self.child, None
            try:
                read, version, releases, api = child.result()
            except (forked.ChildFailed, TypeError, ValueError):
                read, version, releases, api = "", "", (), None  # modelled here instead
            # the child read the very record this process did (not one rewritten since)
            if read and read == self.record.text_digest:
                self.record = Record(version, releases, None, read)
                return cast("Api | None", api)
        if self.record.spec is None:
            self.record = parse_record(self.text, str(self.config.output / RECORD))
        return model_quietly(self.record.spec, self.config)

    def close(self) -> None:
        """The recorded spec's IR is not needed (unchanged spec, or a failed run)."""
        if self.child is not None:
            self.child.cancel()
            self.child = None


def _model_record(config: Config) -> tuple[str, str, tuple[Release, ...], Api | None]:
    """In the child: the digest of the record it read, its version and releases, and the
    recorded spec's IR."""
    record = read_record(config.output)
    if record is None:
        return "", "", (), None
    return record.text_digest, record.version, record.releases, model_quietly(record.spec, config)


def derive(
    data: Any,
    api: Api,
    config: Config,
    diagnostics: Diagnostics,
    previous: Previous | None = None,
    plain_json: Callable[[Any], str | None] | None = None,
) -> tuple[Api, OutputFile]:
    """The IR with its version and releases filled in from the record in the output
    folder (read now, or before as `previous`), and the record to write back.
    `plain_json` is `_plain_json`, or what gives the same (`remembered_spec_json`)."""
    previous = previous if previous is not None else Previous(config)
    try:
        return _derive(data, api, diagnostics, previous, plain_json or _plain_json)
    finally:
        previous.close()


def _derive(
    data: Any, api: Api, diagnostics: Diagnostics, previous: Previous, plain_json: Callable[[Any], str | None]
) -> tuple[Api, OutputFile]:
    spec_text = plain_json(data)
    try:
        spec = data if spec_text is not None else normalise(data)
    except (ValueError, RecursionError) as exc:
        diagnostics.add("revision-record", Level.ERROR, f"cannot record the spec as JSON: {exc}")
        raise GenerationFailed from None
    previous.spec_plain = spec is data
    if spec_text is None:
        spec_text = spec_json(spec)
    if previous.error is not None:
        _record_error(diagnostics, previous.error)
    recorded = previous.record
    if recorded is None:
        first = Release(FIRST_VERSION, api.version, "initial", other=("Initial release.",))
        record = Record(FIRST_VERSION, (first,), spec)
    elif previous.holds(spec_text):
        record = recorded
    else:
        try:
            old_api = previous.api()
        except RecordError as exc:
            _record_error(diagnostics, exc)
        recorded = previous.record  # as the whole record reads
        assert recorded is not None
        report = compare(old_api, api if spec is data or spec == data else None, spec, previous.config)
        if report.bump:
            version = bump(recorded.version, report.bump)
            entry = release_of(version, api.version, report.bump, report)
            record = Record(version, (entry, *recorded.releases), spec)
        else:
            record = Record(recorded.version, recorded.releases, spec)
    return replace(api, client_version=record.version, releases=record.releases), record_file(record, spec_text)


def _record_error(diagnostics: Diagnostics, error: RecordError) -> NoReturn:
    diagnostics.add(
        "revision-record",
        Level.ERROR,
        f"{error}; restore it from version control, or delete it to start again at {FIRST_VERSION}",
    )
    raise GenerationFailed from None


def compare(old_api: Api | None, new_api: Api | None, spec: Any, config: Config) -> Report:
    """The changes from the recorded spec's IR to the new one (modelled from `spec`
    when not given)."""
    new_api = new_api or model_quietly(spec, config)
    if old_api is None or new_api is None:
        return Report(
            (Change("api", BREAKING, "record-unreadable", "the previous revision could not be compared; assumed breaking"),)
        )
    return diff_apis(old_api, new_api)


def api_from(path: Path, config: Config, diagnostics: Diagnostics) -> Api:
    """One side of `diff`: a spec file, a generated folder, or its record file."""
    from .pipeline import build_ir  # the pipeline imports this module

    record_path = path / RECORD if path.is_dir() else path
    if record_path.name == RECORD or path.is_dir():
        try:
            text = record_path.read_text(encoding="utf-8")
            record = parse_record(text, str(record_path))
        except (OSError, UnicodeDecodeError, RecordError) as exc:
            diagnostics.add("revision-record", Level.ERROR, str(exc))
            raise GenerationFailed from None
        api = build_api(record.spec, config, diagnostics)
        if diagnostics.has_errors:
            raise GenerationFailed
        return api
    return build_ir(path, config, diagnostics, tolerant=True)
