"""The templates' compiled code, kept in the cache folder across runs.

Compiling the built-in templates takes a tenth of a second; a run without this entry
has them compiled by a forked child (pipeline.py), which on two cores competes with the
validator's child for the second one. The code is kept as Jinja's bytecode cache keeps
it (`jinja2.bccache.Bucket`): each template's code under Jinja's key for its name and
file, with a checksum of the very source it was compiled from. Jinja takes code only
for that source, by that Jinja and Python (`Bucket.load_bytecode` checks both), and
compiles anything else; the entry's key holds the generator's fingerprint, which names
the Jinja and Python versions and the environment's settings (render.make_environment)."""

from __future__ import annotations

from .cache import Cache, bytes_digest, digest, generator_fingerprint

KIND = "template-code"


def _key() -> str:
    return digest(generator_fingerprint(), KIND)


def kept(cache: Cache) -> dict[str, bytes] | None:
    """The code kept by an earlier run, by Jinja's bucket key; None when there is none.
    Each template's code is kept with its digest, and taken only when it matches: code
    damaged in the cache would run (or crash the interpreter), not fail to read."""
    if not cache.enabled:
        return None
    entry = cache.get_plain(KIND, _key())
    if not (isinstance(entry, dict) and entry):
        return None
    code: dict[str, bytes] = {}
    for key, value in entry.items():
        if not (type(key) is str and type(value) is list and len(value) == 2):
            return None
        sha, data = value
        if not (type(data) is bytes and sha == bytes_digest(data)):
            return None
        code[key] = data
    return code


def keep(cache: Cache, code: dict[str, bytes]) -> None:
    """Keep the code for the next runs (written by this run's keeper, or as it ends)."""
    if cache.enabled and code:
        cache.put_plain_later(KIND, _key(), {key: [bytes_digest(data), data] for key, data in sorted(code.items())})
