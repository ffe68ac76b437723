"""Commands `helpfirst kb ...`, `helpfirst suggest` and `helpfirst eval suggest` (registered by helpfirst.cli)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

out = Console()
err = Console(stderr=True)

kb_app = typer.Typer(help="Help resources: add them to a knowledge base, list them, search them.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure quality on your own history.", no_args_is_help=True)

KB_DIR_HELP = escape("Knowledge base folder [default: $HELPFIRST_KB or ./helpfirst-kb].")


def _kb_dir(value: Optional[Path]) -> Path:
    """--kb, else HELPFIRST_KB (environment, then .env), else ./helpfirst-kb."""
    from ..config import Defaults, load_settings

    return value or Path(load_settings().kb or Defaults.kb)


def _one_line(message: str) -> str:
    """A message on one line, its control, bidi and separator characters as escapes: it carries file
    names, brands and URLs from the inputs."""
    return _shown(" ".join(str(message).split()))


def _error(message: str) -> None:
    err.print("[red]error:[/] ", end="")
    err.print(_one_line(message), highlight=False, soft_wrap=True, markup=False)


def _fail(message: str, code: int = 1) -> None:
    _error(message)
    raise typer.Exit(code)


def _note(message: str) -> None:
    err.print(_one_line(message), highlight=False, soft_wrap=True, markup=False)


def _print_load_report(report, what: str = "resources") -> None:
    for line in report.messages():
        _note(f"rejected: {line}" if line not in report.errors else f"error: {line}")
    if report.rejected > len(report.rejections):
        _note(f"… and {report.rejected - len(report.rejections)} more rejections")


@kb_app.command("add")
def kb_add(
    paths: Annotated[list[Path], typer.Argument(help="Resource files or folders (JSONL, CSV, Markdown, HTML, sitemap, YouTube or Pinterest JSON); a pipe (/dev/stdin, <(...)) is copied whole to a temporary file first, at most 8 GiB (HELPFIRST_MAX_PIPE_COPY).", show_default=False)],
    brand: Annotated[Optional[str], typer.Option("--brand", "-b", help="The brand the resources belong to (records may name their own).")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="article, video, board or faq: overrides the kind of every resource read.")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="Resource format; guessed from each path when omitted.")] = None,
    kb: Annotated[Optional[Path], typer.Option("--kb", help=KB_DIR_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Add help resources to the knowledge base (re-adding the same files changes nothing)."""
    from ..knowledge.models import KINDS, LoadReport
    from ..knowledge.sources import LoadOptions, SourceFailed, get_source, load_resources
    from ..knowledge.store import KnowledgeStore

    if kind is not None and kind.lower() not in KINDS:
        _fail(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    if format is not None:
        try:
            get_source(format)
        except SourceFailed as exc:
            _fail(str(exc))
    _stdin_notice("resources", "kb add", paths)
    folder = _kb_dir(kb)
    report = LoadReport()
    try:
        store = KnowledgeStore.open(folder)
    except (OSError, ValueError) as exc:
        _fail(f"{folder}: not a readable knowledge base ({exc})")
    result = store.add(load_resources(paths, LoadOptions(brand=brand, kind=kind.lower() if kind else None), report, fmt=format))
    try:
        store.save()
    except OSError as exc:
        _fail(f"{folder}: cannot write the knowledge base ({exc.strerror or exc})")
    _print_load_report(report)
    for line in result.collisions:
        _note(f"merged: {line}")
    doc = {"kb": str(folder), "read": report.read, "loaded": report.loaded, "rejected": report.rejected,
           "added": result.added, "updated": result.updated, "unchanged": result.unchanged, "merged": result.merged,
           "collisions": result.collisions, "total": len(store.resources), "errors": report.errors, "files": report.files}
    if as_json:
        sys.stdout.write(json.dumps(doc) + "\n")
    else:
        merged = f", {result.merged} merged into a record of the same id" if result.merged else ""
        _note(f"{report.read} read: {report.loaded} loaded ({result.added} added, {result.updated} updated, "
              f"{result.unchanged} unchanged{merged}), {report.rejected} rejected; {len(store.resources)} resources in {folder}")
    if report.loaded == 0:
        raise typer.Exit(1)


@kb_app.command("list")
def kb_list(
    kb: Annotated[Optional[Path], typer.Option("--kb", help=KB_DIR_HELP)] = None,
    brand: Annotated[Optional[str], typer.Option("--brand", "-b", help="Only this brand's resources.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON resource per line.")] = False,
) -> None:
    """List the resources in the knowledge base."""
    from ..knowledge.store import KnowledgeStore, brand_key

    folder = _kb_dir(kb)
    if not KnowledgeStore.is_store(folder):
        _fail(f"{folder}: no knowledge base here yet (add resources with: helpfirst kb add PATH --brand B)")
    store = KnowledgeStore.open(folder)
    _known_brand(store, folder, brand)
    items = [r for r in store.sorted() if not brand or brand_key(r.brand) == brand_key(brand)]
    if as_json:
        sys.stdout.writelines(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in items)
        return
    table = Table("brand", "kind", "id", "title")
    _url_column(table, [_shown(r.url) for r in items])
    for r in items:
        table.add_row(*(escape(_shown(v)) for v in (r.brand, r.kind, r.id, r.title[:60], r.url)))
    _print_table(table)
    _note(f"{len(items)} resources")


@kb_app.command("search")
def kb_search(
    text: Annotated[str, typer.Argument(help="What the customer asked, in their words.", show_default=False)],
    kb: Annotated[Optional[Path], typer.Option("--kb", help=KB_DIR_HELP)] = None,
    brand: Annotated[Optional[str], typer.Option("--brand", "-b", help="Only this brand's resources.")] = None,
    k: Annotated[int, typer.Option("--k", help="How many results.", min=1)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Search the knowledge base (BM25 over titles, URL words, tags and text)."""
    from ..knowledge.store import KnowledgeStore

    folder = _kb_dir(kb)
    if not KnowledgeStore.is_store(folder):
        _fail(f"{folder}: no knowledge base here yet (add resources with: helpfirst kb add PATH --brand B)")
    store = KnowledgeStore.open(folder)
    _known_brand(store, folder, brand)
    hits = store.search(text, brand=brand, k=k)
    if as_json:
        sys.stdout.writelines(json.dumps({**r.to_dict(), "score": round(s, 4)}, ensure_ascii=False) + "\n" for r, s in hits)
        return
    table = Table("score", "brand", "kind", "title")
    _url_column(table, [_shown(r.url) for r, _s in hits])
    for r, s in hits:
        table.add_row(f"{s:.2f}", *(escape(_shown(v)) for v in (r.brand, r.kind, r.title[:60], r.url)))
    _print_table(table)
    if not hits:
        _note("no resource matches")


def _url_column(table: Table, urls: list[str]) -> None:
    """The url column: never cut nor folded, whatever the width (a URL is copied whole or is useless)."""
    table.add_column("url", no_wrap=True, overflow="ignore", min_width=max((len(u) for u in urls), default=3))


def _print_table(table: Table) -> None:
    """A table on a terminal as it fits; piped, at the width its full cells need (not the 80 columns Rich assumes)."""
    if out.is_terminal:
        out.print(table)
        return
    from rich.measure import Measurement

    probe = Console(width=100_000, file=sys.stdout)
    needed = Measurement.get(probe, probe.options, table).maximum
    Console(width=max(out.width, needed), file=sys.stdout, color_system=None, highlight=False).print(table)


def _stdin_notice(what: str, command: str, paths) -> None:
    """One line on standard error when `paths` give standard input and that is a terminal (helpfirst.cli.stdin_notice)."""
    from ..cli import stdin_notice

    stdin_notice(what, command, paths)


def _one_use_of_stdin(options: dict[str, list[Path]]) -> None:
    """Fail when standard input is given to more than one input (it can be read once: the first reader
    would take it all and the others read nothing)."""
    from ..cli import STDIN_PATHS

    users = [f"{name} {p}" for name, paths in options.items() for p in paths if str(p) in STDIN_PATHS]
    if len(users) > 1:
        _fail(f"standard input is given {len(users)} times ({', '.join(users)}); it can be read only once: "
              "save all but one of these to files and give the files", 2)


def _known_brand(store, folder: Path, brand: Optional[str]) -> None:
    """Fail when --brand names no brand of the store, listing the brands it has."""
    from ..knowledge.store import brand_key

    if not brand:
        return
    names = sorted({r.brand for r in store.resources.values()}, key=str.lower)
    if brand_key(brand) in {brand_key(n) for n in names}:
        return
    shown = ", ".join(names[:10]) + (f", … ({len(names)} brands)" if len(names) > 10 else "")
    _fail(f"unknown brand {brand!r}: {folder} has no resource of it (brands: {shown or 'none'})")


def _semantic_choice(value: str) -> bool:
    from .semantic import available, unavailable_message

    value = value.lower()
    if value not in ("auto", "on", "off"):
        _fail(f"--semantic {value!r}: use auto, on or off")
    if value == "on" and not available():
        _fail(f"--semantic on: {unavailable_message()}")
    return value == "on" or (value == "auto" and available())


def _weights(path: Optional[Path]):
    from .rank import Weights

    if path is None:
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        _fail(f"{path}: cannot be read ({exc.strerror or exc})")
    except RecursionError:
        _fail(f"{path}: not valid JSON (nested too deeply)")
    except ValueError as exc:
        _fail(f"{path}: not valid JSON ({str(exc).splitlines()[0]})")
    problem = Weights.problem(doc)
    if problem:
        _fail(f"{path}: {problem}")
    return Weights.from_dict(doc)


def _history_format(name: Optional[str]) -> Optional[str]:
    """--history-format checked before anything is read: an unknown name is an option error, not a file error."""
    from ..ingest import ImportFailed, get_importer

    if name is not None:
        try:
            get_importer(name)
        except ImportFailed as exc:
            _fail(f"--history-format: {exc}")
    return name


def _column_map(pairs: list[str]) -> dict[str, str]:
    """--map FIELD=COLUMN pairs, read as `helpfirst audit --map` reads them."""
    from ..cli import UserError, _parse_map

    try:
        return _parse_map(pairs)
    except UserError as exc:
        _fail(str(exc))


def _build(kb: list[Path], history: list[Path], index: Optional[Path], semantic: bool, history_format, brands,
           column_map: dict[str, str] | None = None):
    from ..ingest import ImportFailed
    from .service import build_or_load

    try:
        built = build_or_load(kb, history, index_dir=index, semantic=semantic, history_format=history_format, brands=brands,
                              column_map=column_map)
    except ImportFailed as exc:
        _fail(str(exc))
    for message in built.messages:   # e.g. why a cached index was rebuilt
        _note(f"note: {message}")
    if built.cached:
        _note(f"index: reused {built.path} (its inputs are unchanged); the report below is of the build that made it")
    # the same report on every run: a cached index keeps the reports of the build that made it
    _print_load_report(built.kb_report)
    h = built.history_report
    for e in h.errors:
        _note(f"error: {e}")
    for r in h.rejections:
        _note(f"rejected: {r}")
    s = built.index.stats
    collisions = s.get("collisions")
    for line in collisions if isinstance(collisions, list) else []:  # different resources read under one id
        _note(f"merged: {line}")
    _note(f"knowledge: {built.kb_report.read} read, {built.kb_report.loaded} loaded, {built.kb_report.rejected} rejected; "
          f"history: {h.rows_read} posts read, {h.rows_loaded} loaded, {h.rows_rejected} rejected; "
          f"learned {s['cases']} linked cases, {s['answers']} reusable answers, {s['learned_resources']} resources only history knew")
    if s.get("short_link_replies"):
        from .history import short_link_note

        _note(f"note: {short_link_note(s['short_link_replies'], s.get('brand_replies', 0))}")
    if not built.index.brands:
        _fail("nothing to suggest from: no resource and no past reply could be loaded")
    return built


@eval_app.command("suggest")
def eval_suggest(
    kb: Annotated[list[Path], typer.Option("--kb", help="Resources: a knowledge-base folder or resource files (repeatable).", show_default=False)],
    history: Annotated[list[Path], typer.Option("--history", help="Archive of past conversations, any format `helpfirst audit` reads (repeatable); a pipe or '-' is copied whole to a temporary file first, at most 8 GiB (HELPFIRST_MAX_PIPE_COPY).", show_default=False)],
    split: Annotated[float, typer.Option("--split", help="Share of linked conversations (oldest first) to learn from; the rest are tested.", min=0.05, max=0.95)] = 0.8,
    semantic: Annotated[str, typer.Option("--semantic", help="auto (when the semantic extra is installed), on or off.")] = "auto",
    weights: Annotated[Optional[Path], typer.Option("--weights", help="Feature weights of the ranking model (JSON) instead of the learned ones.")] = None,
    history_format: Annotated[Optional[str], typer.Option("--history-format", help="Format of the history files; guessed when omitted.")] = None,
    brand: Annotated[list[str], typer.Option("--brand", "-b", help="Brand handle (repeatable) for archives that do not mark brand posts.")] = [],
    column_map: Annotated[list[str], typer.Option("--map", help="Column mapping for jsonl/csv history: FIELD=SOURCE_COLUMN (repeatable; as `helpfirst audit --map`, plus outcome and reply_kind).")] = [],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Backtest on your own history: hide each linking reply and everything after it, and score what would have been suggested."""
    from ..ingest import ImportFailed
    from .evaluate import BacktestFailed, backtest

    _one_use_of_stdin({"--kb": kb, "--history": history})
    _stdin_notice("history", "eval suggest", history)
    try:
        result = backtest(kb, history, split=split, semantic=_semantic_choice(semantic), weights=_weights(weights),
                          history_format=_history_format(history_format), brands=brand, column_map=_column_map(column_map))
    except BacktestFailed as exc:
        # the input problems first: a missing or unreadable file is often why there is nothing to test
        for line in exc.messages:
            _note(line)
        _note(_inputs_line(exc.inputs))
        if as_json:
            sys.stdout.write(json.dumps({"error": str(exc), **exc.inputs}) + "\n")
        _fail(str(exc))
    except (ImportFailed, ValueError) as exc:
        _fail(str(exc))
    for line in result.pop("messages", []):
        _note(line)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    table = Table("", "queries", "recall@1", "recall@5", "MRR@10")
    for name, m in [("helpfirst", result["metrics"]), ("most linked (baseline)", result["baseline_most_linked"])]:
        table.add_row(name, str(m["n"]), f"{m['recall@1']:.3f}", f"{m['recall@5']:.3f}", f"{m['mrr@10']:.3f}")
    out.print(table)
    _note(_inputs_line(result))
    _note(f"learned from {result['train_conversations']} conversations before {result['split_at']}, "
          f"tested on {result['test_conversations']} after it"
          + (f" ({result['test_skipped']} skipped: {result['skipped_reason']})" if result["test_skipped"] else ""))


def _inputs_line(doc: dict) -> str:
    """The knowledge/history summary of a backtest, as suggest prints it."""
    return (f"knowledge: {doc['resources_read']} read, {doc['resources']} loaded, {doc['resources_rejected']} rejected; "
            f"history: {doc['history_read']} posts read, {doc['history_posts']} loaded, {doc['history_rejected']} rejected")


def suggest(
    kb: Annotated[list[Path], typer.Option("--kb", help="Resources: a knowledge-base folder or resource files (repeatable).", show_default=False)],
    input: Annotated[Path, typer.Option("--input", "-i", help=escape("QUERIES.jsonl: {id, brand, channel, customer, posts: [{role, text, created_at}]} per line; - reads standard input."), show_default=False)],
    history: Annotated[list[Path], typer.Option("--history", help="Archive of past conversations, any format `helpfirst audit` reads (repeatable); a pipe or '-' is copied whole to a temporary file first, at most 8 GiB (HELPFIRST_MAX_PIPE_COPY).")] = [],
    k: Annotated[int, typer.Option("--k", help="Suggestions per query.", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per query: {id, suggestions, draft, draft_warning}.")] = False,
    index: Annotated[Optional[Path], typer.Option("--index", help=escape("Folder for the index (reused while the inputs are unchanged) [default: a cache folder]."))] = None,
    semantic: Annotated[str, typer.Option("--semantic", help="auto (when the semantic extra is installed), on or off.")] = "auto",
    weights: Annotated[Optional[Path], typer.Option("--weights", help="Feature weights of the ranking model (JSON) instead of the learned ones.")] = None,
    voice: Annotated[Optional[Path], typer.Option("--voice", help="Brand voices for drafts (JSON: brand -> template, opening, closing, signature).")] = None,
    history_format: Annotated[Optional[str], typer.Option("--history-format", help="Format of the history files; guessed when omitted.")] = None,
    brand: Annotated[list[str], typer.Option("--brand", "-b", help="Brand handle (repeatable) for archives that do not mark brand posts.")] = [],
    column_map: Annotated[list[str], typer.Option("--map", help="Column mapping for jsonl/csv history: FIELD=SOURCE_COLUMN (repeatable; as `helpfirst audit --map`, plus outcome and reply_kind).")] = [],
) -> None:
    """Suggest help resources and past answers for each help request, with reasons and a reply draft."""
    from .draft import VoiceError, load_voices
    from .service import QueriesFailed, QueryError, Suggester, open_queries, read_queries

    _one_use_of_stdin({"--input": [input], "--history": history, "--kb": kb})
    _stdin_notice("queries", "suggest", [input])
    _stdin_notice("history", "suggest", history)
    try:
        queries = open_queries(input)
    except QueriesFailed as exc:
        _fail(str(exc))
    input = queries.name
    if not queries.head:  # nothing at all (a terminal's Ctrl-D, too: reading on would wait for a second one)
        queries.close()
        _fail(f"{input}: the file is empty")
    use_semantic = _semantic_choice(semantic)
    w = _weights(weights)
    try:
        voices = load_voices(voice)
    except VoiceError as exc:
        _fail(str(exc))
    built = _build(kb, history, index, use_semantic, _history_format(history_format), brand, _column_map(column_map))
    encoder = None
    if built.index.semantic:
        from .semantic import Encoder

        encoder = Encoder()
    suggester = Suggester(built.index, w, encoder, voices)
    read = answered = nothing = rejected = unanswerable = 0
    seen: dict[str, int] = {}   # query id -> its first line: a repeated id is answered again, with a warning
    t0 = time.perf_counter()
    try:
        for line, item in read_queries(queries):
            read += 1
            if isinstance(item, QueryError):
                rejected += 1
                where = f" field {item.field!r}:" if item.field else ""
                _note(f"rejected: {input}:{line}:{where} {item.reason}")
                continue
            if item.id in seen:
                _note(f"warning: {input}:{line}: id {item.id!r} repeats line {seen[item.id]}; both are answered, "
                      "so two output lines carry this id")
            seen.setdefault(item.id, line)
            try:
                suggester.check(item)
                doc = suggester.suggest(item, k)
                if doc["suggestions"]:
                    answered += 1
                else:  # a valid answer (nothing fits), but not one to count as answered
                    nothing += 1
                    _note(f"no match: {input}:{line}: nothing in the knowledge base or the history matches this request")
            except QueryError as exc:
                unanswerable += 1
                _note(f"unanswered: {input}:{line}: field {exc.field!r}: {exc.reason}")
                doc = {"id": item.id, "suggestions": [], "draft": None, "draft_warning": None}
            if doc["draft_warning"]:
                _note(f"warning: {input}:{line}: {doc['draft_warning']}")
            if as_json:
                sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
            else:
                _print_suggestions(doc)
    except BrokenPipeError:
        raise   # our reader went away (`| head`): not a problem of the input file
    except OSError as exc:
        _fail(f"{input}: cannot be read ({exc.strerror or exc})")
    seconds = time.perf_counter() - t0
    _note(f"{read} queries read: {answered} answered, {nothing} matched nothing, {unanswerable} without suggestions, "
          f"{rejected} rejected ({seconds * 1000 / max(answered + nothing, 1):.1f} ms per query)")
    if read == 0:  # blank lines only
        _fail(f"{input}: the file is empty")
    if answered + nothing == 0:
        raise typer.Exit(1)


def _print_suggestions(doc: dict) -> None:
    # soft_wrap: a draft or URL broken across lines by the console width could not be pasted as is
    out.print(f"[bold]{escape(_shown(doc['id']))}[/]", soft_wrap=True)
    for i, s in enumerate(doc["suggestions"], 1):
        out.print(f"  {i}. {s['score']:.3f}  {escape(_shown(s['url'] or s['resource_id']))}\n     {escape(_shown(s['reason']))}",
                  highlight=False, soft_wrap=True)
    if doc["draft"]:
        out.print(f"  draft: {escape(_shown(doc['draft']))}", highlight=False, soft_wrap=True)


def _shown(text: str) -> str:
    """Text from the inputs as a terminal may show it: control, bidi and separator characters as escapes."""
    from ..measure.display import visible

    return visible(text)


def register(app: typer.Typer) -> None:
    """Add kb, suggest and eval to the main app."""
    app.add_typer(kb_app, name="kb")
    app.command("suggest")(suggest)
    app.add_typer(eval_app, name="eval")
