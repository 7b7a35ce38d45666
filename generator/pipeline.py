"""The stages in order: load -> validate -> model -> render -> format (-> write)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from . import early, forked, template_code
from .cache import DISABLED, Cache, recording_reads
from .config import Config
from .diagnostics import Diagnostics, GenerationFailed, Level
from .load import Document, load
from .model_memo import Slot
from .spec_parts import reaches_paths, spec_parts
from .validate import ReadyValidator, SchemaCheck, add_findings, check_core, iter_refs, start_schema_check, validate

# The later stages are imported once the validator has been forked (generate_files),
# so that it starts as early as possible and its process does not carry them.
if TYPE_CHECKING:
    from .model.build import Builder
    from .model.operation import Api
    from .prose_edit import ProseEdit
    from .spec_parts import SpecParts
    from .render import OutputFile, TemplateSet
    from .revisions import Previous


@dataclass
class Result:
    api: Api
    files: list[OutputFile]
    # every file the run read (spec, referenced files, templates): its inputs
    reads: set[str] = field(default_factory=set)
    # the children still writing this run's memos for the next run (see `finish`)
    keepers: list[forked.Child] = field(default_factory=list)

    def finish(self) -> None:
        """Wait for the keepers: called once the output is written, so that their work
        goes on beside the write and the stamp."""
        _wait(self.keepers)
        self.keepers = []


def build_ir(
    spec_path: Path, config: Config, diagnostics: Diagnostics, *, tolerant: bool = True, cache: Cache = DISABLED
) -> Api:
    return load_and_build(spec_path, config, diagnostics, tolerant=tolerant, cache=cache)[1]


def load_and_build(
    spec_path: Path, config: Config, diagnostics: Diagnostics, *, tolerant: bool = True, cache: Cache = DISABLED
) -> tuple[Any, Api]:
    """The loaded document and its IR."""
    document = load(spec_path, diagnostics)
    _overlaid(document, config, diagnostics)
    if not validate(document.data, diagnostics, tolerant=tolerant, cache=cache):
        raise GenerationFailed
    return document.data, _build(document.data, config, diagnostics)[0]


def _build(
    data: Any,
    config: Config,
    diagnostics: Diagnostics,
    memo: Slot | None = None,
    parts: SpecParts | None = None,
    into_paths: bool = True,
) -> tuple[Api, Builder]:
    from .model_memo import build

    try:
        api, builder = build(data, config, diagnostics, memo, parts, into_paths)
    except RecursionError:
        diagnostics.add("too-deep", Level.ERROR, "schemas nest too deeply to model", "")
        raise GenerationFailed from None
    if diagnostics.has_errors:
        raise GenerationFailed
    return api, builder


def generate_files(
    config: Config,
    diagnostics: Diagnostics,
    *,
    cache: Cache = DISABLED,
    before_verdict: Callable[[list[OutputFile]], None] | None = None,
) -> Result:
    """Everything up to, not including, writing. Raises GenerationFailed with reasons
    recorded in `diagnostics`.

    The schema validator runs beside the later stages (see `start_schema_check`). The
    report is the one of running them in order: when the validator finds errors, the
    run stops after the model stage (its findings are kept, rendering's dropped).
    `before_verdict` is given the files, when the run has not failed so far, before the
    validator's verdict is waited for (the write prepares them meanwhile, see
    write.prepare_write: the verdict may still fail the run)."""
    with recording_reads() as reads:
        # While the spec loads, the second core has nothing else to do until the
        # validator starts: the validator's child is forked first (it imports the
        # validator meanwhile, and none of the later stages), then, once this process
        # has imported the later stages, a child that compiles the built-in templates.
        compiling: forked.Child | None = None
        ready: ReadyValidator | None = None
        previous: Previous | None = None
        keeping: list[Callable[[], None]] = []  # what the keeper is to remember, once forked
        keepers: list[forked.Child] = []
        try:
            # (with a cache: its key tells whether the document pickles exactly, see there)
            ready = early.take()
            if ready is not None and not cache.enabled:
                ready.cancel()
                ready = None
            elif ready is None and forked.can_fork() and cache.enabled:
                ready = ReadyValidator()
            if ready is not None:
                ready.announce(cache)
            from .revisions import Previous

            kept_code = template_code.kept(cache)
            if kept_code is None and forked.can_fork():
                compiling = forked.Child(lambda: _compile_templates(cache))
            memo = Slot(cache, config)
            previous = Previous(config, beside=True, memo=memo)
            # (the validator's child loads the text itself, as this process does)
            offer = ready.offer if ready is not None and not config.overlays else None
            document = load(config.spec, diagnostics, cache=cache, on_text=offer)
            if config.overlays:  # (they change the data in place: the load is kept as loaded, now)
                keepers.extend(_keeper(cache, _keep_load(cache, document)))
            else:
                keeping.extend(_keep_load(cache, document))
            code = _TemplateCode(compiling, kept_code)
            result = _from_document(
                config, diagnostics, cache, reads, code, ready, previous, document, memo, keeping, keepers, before_verdict
            )
            result.keepers, keepers = keepers, []  # (the caller waits for them: Result.finish)
            return result
        finally:
            if ready is not None:
                ready.cancel()  # (unless given the document)
            if previous is not None:
                previous.close()
            if compiling is not None:
                compiling.cancel()
            keepers.extend(_keeper(cache, keeping))  # (a run that failed first: its load is worth keeping)
            cache.write_later()  # what no keeper took
            _wait(keepers)
            forked.reap_cancelled()


def _wait(children: list[forked.Child]) -> None:
    for child in children:
        try:
            child.result()
        except forked.ChildFailed:
            pass  # the next run does without


def _keeper(cache: Cache, keeps: list[Callable[[], None]]) -> list[forked.Child]:
    """A child that writes the memos the run leaves for the next one (`keeps`, then the
    entries left for a keeper so far: Cache.put_plain_later), then has the cache
    folder trimmed when due (pickling a large spec's IR and load takes a tenth of a
    second); `keeps` is emptied. One child for all: each fork of a large heap costs the
    rest of the run page faults as it writes what the two processes share."""
    if not keeps:
        return []
    later = cache.take_later()
    taken = list(keeps)
    keeps.clear()

    def work() -> None:
        cache.write_later(later)
        for keep in taken:
            keep()
        cache.trim_in_background()

    return [forked.Child(work, niceness=10)]


def _compile_templates(cache: Cache) -> dict[str, bytes]:
    """The code of the built-in templates the last run loaded (all when unknown): a
    regeneration after an edit renders few; any other is compiled as it is loaded."""
    from .render import compile_builtin_templates
    from .render_memo import loaded_templates

    return compile_builtin_templates(loaded_templates(cache) if cache.enabled else None)


@dataclass
class _TemplateCode:
    """The templates' code for this run's render: the one kept in the cache
    (template_code.py), else the one the compiling child sends, else none; what the
    render compiles besides is added to it."""

    compiling: forked.Child | None
    kept: dict[str, bytes] | None

    def take(self) -> dict[str, bytes]:
        if self.kept is not None:
            return self.kept
        if self.compiling is not None:
            try:
                code = self.compiling.result()
            except forked.ChildFailed:
                code = None  # compiled as the templates are loaded
            if isinstance(code, dict):
                return code
        return {}

    def keep(self, cache: Cache, code: dict[str, bytes], before: dict[str, bytes]) -> None:
        """Keep the code in the cache when it is not the kept one as it was."""
        if self.kept is None or code != before:
            template_code.keep(cache, code)


def _refs(cache: Cache, document: Document, parts: SpecParts | None) -> Callable[[Any], Iterable[tuple[str, str]]]:
    """How the core checks find the document's references: through their memo when
    the loader knows where the document shares containers (refs_memo.py)."""
    parsed = document.parsed
    if parts is None or parsed is None or parsed.shared is None or document.bundle is not None:
        return iter_refs
    from .refs_memo import remembered_refs

    return remembered_refs(cache, document.path, parts, parsed.shared)


def _spec_json(cache: Cache, document: Document, parts: SpecParts | None) -> Callable[[Any], str | None] | None:
    """How the revision writes the spec's JSON: through its memo when the parts are known."""
    if parts is None:
        return None
    from .revisions import remembered_spec_json

    return lambda data: remembered_spec_json(cache, document.path, parts, data)


def _on_disk(config: Config) -> Callable[[str, str], bool]:
    """Whether the output folder holds the file at a path with bytes of a digest, as the
    last run's stamp recorded them, unchanged since (format.StoredOutput)."""
    from .cache import known_digest

    root = Path(config.output)
    return lambda path, digest: known_digest(config, root / path) == digest


def _overlaid(document: Document, config: Config, diagnostics: Diagnostics) -> None:
    if config.overlays:  # (imported only then)
        from .overlay import apply_overlays

        apply_overlays(document, config.overlays, diagnostics, strict=config.strict)


def _parts(document: Document, config: Config) -> SpecParts | None:
    """The digests of the document's parts: the load memo's, when it knows them of a
    single file and no overlay changed the data since; else made here."""
    parsed = document.parsed
    if parsed is not None and parsed.parts is not None and document.bundle is None and not config.overlays:
        return parsed.parts
    return spec_parts(document.data)


def _prose(document: Document, config: Config) -> ProseEdit | None:
    """The edit since the load memo's load, when it changed prose only and the data is
    that load's, of a single file (no overlay changed it since)."""
    parsed = document.parsed
    if parsed is None or document.bundle is not None or config.overlays:
        return None
    return parsed.prose


def _sharing(document: Document, config: Config) -> list[list[list[Any]]] | None:
    """Where the document's containers sit at two places (load_memo.shared_places), when
    the loader knows it of a single file and no overlay changed the data since; else None."""
    parsed = document.parsed
    if parsed is None or parsed.shared is None or document.bundle is not None or config.overlays:
        return None
    return parsed.shared


def _keep_load(cache: Cache, document: Document) -> list[Callable[[], None]]:
    """Remember the load for the next run's (load_memo.py), in the keeper: it holds
    the data as loaded, before overlays change it here."""
    from .load_memo import keep, worth_keeping

    if not (worth_keeping(cache, document.parsed) and forked.can_fork()):
        return []
    parsed, encoded = document.parsed, document.encoded
    assert parsed is not None
    text = document.source.text if encoded is None else ""  # (keep reads the bytes when given)
    return [lambda: keep(cache, document.path, text, parsed, encoded)]


def _keep_model(
    cache: Cache,
    config: Config,
    builder: Builder,
    api: Api,
    parts: SpecParts | None,
    record: OutputFile,
    plain: bool,
    known: list[tuple[Any, bytes]],
) -> list[Callable[[], None]]:
    """Remember the build for the next run's (model_memo.py), in the keeper."""
    from .model_memo import keep

    if parts is None or not (cache.enabled and forked.can_fork()):
        return []
    return [lambda: keep(cache, config, builder, api, parts, record.content, plain, known)]


def _from_document(
    config: Config,
    diagnostics: Diagnostics,
    cache: Cache,
    reads: set[str],
    code: _TemplateCode,
    ready: ReadyValidator | None,
    previous: Previous,
    document: Document,
    memo: Slot,
    keeping: list[Callable[[], None]],
    keepers: list[forked.Child],
    before_verdict: Callable[[list[OutputFile]], None] | None,
) -> Result:
    _overlaid(document, config, diagnostics)
    parts = _parts(document, config) if cache.enabled else None
    findings = None
    local_refs: set[str] = set()
    prose = _prose(document, config)

    def check_schema() -> SchemaCheck:
        return start_schema_check(
            document.data,
            cache,
            background=True,
            parts=parts,
            ready=ready,
            shared=_sharing(document, config),
            recalled=document.recalled and document.bundle is None and not config.overlays,
            prose=prose,
            local_refs=local_refs,
        )

    try:
        # The validator's child is given the document before the core checks run here;
        # after an edit of prose only, they run first: their `$ref`s tell whether the
        # findings before it are taken (see start_schema_check).
        if ready is not None and prose is None:
            findings = check_schema()
        if not check_core(document.data, diagnostics, local_refs, _refs(cache, document, parts)):
            raise GenerationFailed
        if findings is None:
            findings = check_schema()
        from .render import StoredGone, load_template_set
        from .revisions import derive

        # a broken template overlay is reported alone, as before
        templates = load_template_set(config.templates, diagnostics)
    except BaseException:
        if findings is not None:
            findings.cancel()
        raise
    mark = len(diagnostics.items)
    unprepared: Exception | None = None  # what `before_verdict` raised
    try:
        into_paths = any(reaches_paths(ref) for ref in local_refs)
        built, builder = _build(document.data, config, diagnostics, memo, parts, into_paths)
        api, record = derive(document.data, built, config, diagnostics, previous, _spec_json(cache, document, parts))
        known = memo.known_digests(built)
        keeping.extend(_keep_model(cache, config, builder, built, parts, record, previous.spec_plain, known))
        keepers.extend(_keeper(cache, keeping))
        # The parsed spec is not needed past the model (diagnostics locate lines from
        # the text): dropping it lowers the peak of formatting and of its workers.
        document.data = None
        mark = len(diagnostics.items)
        compiled = code.take()
        before = dict(compiled)
        try:
            files = _render_and_format(api, config, diagnostics, cache, templates, compiled, known, kept_texts=True)
        except StoredGone:  # a kept text the cache no longer holds as it was: all rendered again
            del diagnostics.items[mark:]
            files = _render_and_format(api, config, diagnostics, cache, templates, compiled, known, kept_texts=False)
        code.keep(cache, compiled, before)
        files.append(record)
        if before_verdict is not None and not diagnostics.fails(config.strict):
            try:
                before_verdict(files)
            except Exception as exc:  # (reported after the verdict, which may stop the run first)
                unprepared = exc
    except GenerationFailed:
        failed = True
    else:
        failed = False
    finally:
        previous.close()
        verdict = Diagnostics()
        add_findings(verdict, findings(), Level.ERROR if config.strict else Level.WARNING)
    if verdict.has_errors:
        del diagnostics.items[mark:]
    diagnostics.extend(verdict.items)
    if failed or verdict.has_errors:
        raise GenerationFailed
    if unprepared is not None:
        raise unprepared
    return Result(api, files, reads)


def _render_and_format(
    api: Api,
    config: Config,
    diagnostics: Diagnostics,
    cache: Cache,
    templates: TemplateSet,
    compiled: dict[str, bytes],
    known: list[tuple[Any, bytes]],
    kept_texts: bool,
) -> list[OutputFile]:
    """The rendered files, formatted; `kept_texts`: whether the render memo's kept texts
    are taken (render.RecalledOutput: read only when formatting needs them)."""
    from .format import format_files, open_formatter
    from .render import render

    formatter = open_formatter(cache, full=config.full_black, on_disk=_on_disk(config))
    try:
        files = render(
            api,
            diagnostics,
            connect_timeout=config.connect_timeout,
            templates=templates,
            on_file=formatter.early,
            compiled=compiled,
            cache=cache,
            known=known,
            kept_texts=kept_texts,
        )
    except BaseException:
        formatter.close()
        raise
    if diagnostics.locator is not None and any(d.pointer and not d.file for d in diagnostics.items):
        # Lines usually come from the load; YAML the full loader read is composed
        # once to locate them (a large spec takes a good part of a second): done
        # now, while the pool formats the largest modules, not after everything.
        try:
            diagnostics.locator("")
        except Exception:  # locating never fails a run (see Diagnostics.located)
            pass
    return format_files(files, diagnostics, formatter=formatter)
