"""The one path from a spec string to generated code, per context.

Every string from the spec that reaches generated code goes through exactly one of:
`snake`/`pascal`/`constant` (identifiers), `module_name` (files), `literal` (string
literals), `docstring` and `comment` (prose). Collisions are resolved by `Namer`.
"""

from __future__ import annotations

import functools
import hashlib
import keyword
import re
import unicodedata

_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])|([A-Z]+)([A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")

# Names that would shadow what generated code relies on.
RESERVED = frozenset(
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {"None", "True", "False", "self", "cls", "Any", "NotGiven", "NOT_GIVEN"}
)
# Device names Windows refuses as file names, whatever the extension.
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def ascii_words(text: str) -> list[str]:
    """Split any string into ASCII words; accents are folded, other scripts dropped."""
    folded = str(text)
    # printable ASCII is what folding and filtering keep as it is (NFKD leaves ASCII
    # alone; its control characters are its only category C)
    if not (folded.isascii() and folded.isprintable()):
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if c.isascii() and unicodedata.category(c)[0] != "C")
    spaced = _WORD_BOUNDARY.sub(lambda m: f"{m[1] or m[3]}_{m[2] or m[4]}", folded)
    return [w for w in _NON_WORD.split(spaced) if w]


def _finish(name: str, fallback: str) -> str:
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if name in RESERVED or keyword.iskeyword(name):
        name = f"{name}_"
    return name


# A spec repeats its names (a property name in many schemas, a word in many operation
# ids): each spelling is worked out once per run.
@functools.lru_cache(maxsize=None)
def snake(text: str, fallback: str = "value") -> str:
    return _finish("_".join(w.lower() for w in ascii_words(text)), fallback)


@functools.lru_cache(maxsize=None)
def pascal(text: str, fallback: str = "Model") -> str:
    words = ascii_words(text)
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return _finish(name, fallback)


@functools.lru_cache(maxsize=None)
def constant(text: str, fallback: str = "VALUE") -> str:
    name = "_".join(w.upper() for w in ascii_words(text))
    if not name:
        return fallback
    return f"{fallback}_{name}" if name[0].isdigit() else name


# File names stay far below the 255-byte limit of common file systems, with room for
# `.pyi` and the writer's temporary suffix.
MAX_MODULE_NAME = 64


def module_name(text: str, fallback: str = "module") -> str:
    """A file or package name: a lower-case identifier (so never `..`, `/`, `\\` or NUL),
    not a Windows device name, and short; a long name keeps a hash of the full text so
    two long names stay apart."""
    name = snake(text, fallback)
    if len(name) > MAX_MODULE_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: MAX_MODULE_NAME - 9].rstrip('_')}_{digest}"
    if name in _WINDOWS_DEVICES:
        name = f"{name}_"
    return name


WINDOWS_DEVICES = _WINDOWS_DEVICES


def literal(value: object) -> str:
    """A Python literal for a JSON scalar, spelled as black spells it (so formatting
    never has to touch it); repr escapes quotes, line breaks and invisible characters
    such as right-to-left marks."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        if isinstance(value, float) and value != value:  # NaN has no literal
            return 'float("nan")'
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return 'float("inf")' if value > 0 else '-float("inf")'
        if isinstance(value, str):
            return _prefer_double_quotes(_escape_invisible(repr(value)))
        if isinstance(value, float):
            return repr(value).replace("e+", "e")
        return repr(value)
    raise TypeError(f"not a JSON scalar: {type(value).__name__}")


def _sub_twice(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    return pattern.sub(replacement, pattern.sub(replacement, text))


def _quote_patterns(quote: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    escaped = re.compile(rf"([^\\]|^)\\((?:\\\\)*){quote}")
    unescaped = re.compile(rf"(([^\\]|^)(\\\\)*){quote}")
    return escaped, unescaped


_ESCAPED_SINGLE, _UNESCAPED_SINGLE = _quote_patterns("'")
_ESCAPED_DOUBLE, _UNESCAPED_DOUBLE = _quote_patterns('"')


def _prefer_double_quotes(text: str) -> str:
    """Black's choice of quotes for a plain string literal: double quotes unless they
    need more backslashes (the same rule as black's `normalize_string_quotes`)."""
    body = text[1:-1]
    if not ('"' in body or "'" in body or "\\" in body):
        return f'"{body}"'  # nothing to escape either way (most names and values)
    if text[0] == '"':
        orig, new = '"', "'"
        escaped_new, escaped_orig, unescaped_new = _ESCAPED_SINGLE, _ESCAPED_DOUBLE, _UNESCAPED_SINGLE
    else:
        orig, new = "'", '"'
        escaped_new, escaped_orig, unescaped_new = _ESCAPED_DOUBLE, _ESCAPED_SINGLE, _UNESCAPED_DOUBLE
    body = text[1:-1]
    new_body = _sub_twice(escaped_new, rf"\1\2{new}", body)
    if new_body != body:
        body = new_body
        text = f"{orig}{body}{orig}"
    new_body = _sub_twice(escaped_orig, rf"\1\2{orig}", new_body)
    new_body = _sub_twice(unescaped_new, rf"\1\\{new}", new_body)
    if new_body.count("\\") > body.count("\\"):
        return text
    if new_body.count("\\") == body.count("\\") and orig == '"':
        return text
    return f"{new}{new_body}{new}"


def _escape_invisible(text: str) -> str:
    if text.isascii():
        return text
    return "".join(
        c if c.isascii() or unicodedata.category(c)[0] not in "CZ" or c == " " else f"\\u{ord(c):04x}"
        if ord(c) <= 0xFFFF
        else f"\\U{ord(c):08x}"
        for c in text
    )


# ASCII characters a docstring spells out (every other ASCII character but the line
# break is printable)
_ASCII_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def docstring(text: object, width_hint: int = 0) -> str:
    """Text safe inside a triple-quoted docstring: it cannot close the string, start an
    escape, or hide characters. Invisible and control characters (right-to-left
    overrides, zero-width spaces, NUL, lone surrogates) are spelled out as `\\uXXXX`
    text, so neither the source nor the runtime `__doc__` contains them."""
    s = str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    s = s.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if s.endswith('"'):
        s += " "
    if s.startswith('"'):
        s = " " + s  # as black pads a docstring that starts with a quote
    if s.isascii() and not _ASCII_CONTROL.search(s):
        return s  # the common case, without a look at each character
    s = "".join(
        c
        if c == "\n" or (c.isprintable() and unicodedata.category(c) not in ("Cf", "Zl", "Zp"))
        else f"\\\\u{ord(c):04x}"
        if ord(c) <= 0xFFFF
        else f"\\\\U{ord(c):08x}"
        for c in s
    )
    return s


def toml_string(value: object) -> str:
    """A TOML basic string. Control and invisible characters become `\\uXXXX` escapes;
    lone surrogates, which TOML cannot hold at all, are spelled out as text."""
    out = ['"']
    for c in str(value):
        if c in ('"', "\\"):
            out.append("\\" + c)
        elif 0xD800 <= ord(c) <= 0xDFFF:
            out.append(f"\\\\u{ord(c):04x}")
        elif c.isascii() and c.isprintable():
            out.append(c)
        elif not c.isprintable() or unicodedata.category(c) in ("Cf", "Zl", "Zp"):
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def comment(text: object) -> str:
    """Text safe on one comment line."""
    return " ".join(docstring(text).split())


class Namer:
    """Hands out unique names in one scope: first come keeps the base name, later ones
    get `_2`, `_3`, ... A reserved name becomes `name_` first (PEP 8's way around a
    clash). Callers feed names in a deterministic order. With `fold_case`, names that
    differ only in case collide (file names on case-insensitive file systems)."""

    def __init__(self, reserved: frozenset[str] | set[str] = frozenset(), fold_case: bool = False):
        self._fold = fold_case
        self._reserved = {n.lower() for n in reserved} if fold_case else set(reserved)
        self._taken = set(self._reserved)

    def _key(self, name: str) -> str:
        return name.lower() if self._fold else name

    def claim(self, base: str) -> str:
        if self._key(base) in self._reserved and self._key(base + "_") not in self._taken:
            base += "_"
        name, n = base, 1
        while self._key(name) in self._taken:
            n += 1
            name = f"{base}_{n}"
        self._taken.add(self._key(name))
        return name
