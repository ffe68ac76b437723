"""The `helpfirst` command line: thin commands over the services."""

from __future__ import annotations

import errno
import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from .config import debug_enabled, load_settings, parse_duration_minutes, setting_source
from .fileio import atomic_output, atomic_path, write_text_atomic

# help texts are Rich markup: a text with square brackets goes through rich.markup.escape, or
# "[semantic]" is read as a style tag and vanishes
app = typer.Typer(
    name="helpfirst",
    help="Measure whether a brand actually helps the people who ask it for help.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _version() -> str:
    """The installed distribution's version (the package's own when it is run from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("helpfirst")
    except PackageNotFoundError:
        from . import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"helpfirst {_version()}\n")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version (helpfirst X.Y.Z) and exit.")] = False,
) -> None:
    """Options before the command."""


class UserError(Exception):
    """Bad input or options: printed as one line, exit status 1."""


def _fail(message: str, code: int = 1) -> None:
    _error_line(message)
    raise typer.Exit(code)


def _error_line(message: str) -> None:
    # file names and post texts are not Rich markup: print them literally, on one line
    err.print("[red]error:[/] ", end="")
    from .measure.display import visible  # an archive's file names and texts may hold escape sequences

    err.print(visible(message.replace("\n", " ")), highlight=False, soft_wrap=True, markup=False)


def _progress(total: int) -> Progress | None:
    if not err.is_terminal or total <= 0:
        return None
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


#: The longest first-response target accepted: anything longer is a typo, not a service level.
MAX_TARGET_MIN = 365 * 1440


def _target_minutes(text: str, source: str) -> float:
    """The first-response target in minutes; over MAX_TARGET_MIN is refused."""
    try:
        minutes = parse_duration_minutes(text)
    except ValueError as exc:
        raise UserError(f"{source} {exc}") from None
    if minutes > MAX_TARGET_MIN:
        raise UserError(f"{source} {text!r}: a target over 365 days is not a response target; use e.g. 30m, 2h or 1d")
    return minutes


def make_parent_folders(path: Path) -> None:
    """Make the folders an output file is to be written in, as `audit --report` has them made
    (missing/sub/out.csv works); OSError when one cannot be made (a file in the way, no permission)."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file where a folder should be: say what writing there would say
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), exc.filename) from exc


def _same_file(stat: os.stat_result, path: Path) -> bool:
    """Whether ``path`` (symlinks followed) is the regular file ``stat`` describes."""
    import stat as st

    try:
        other = os.stat(path)
    except (OSError, ValueError):  # not there (yet), or not a path the system takes
        return False
    return st.S_ISREG(other.st_mode) and (other.st_dev, other.st_ino) == (stat.st_dev, stat.st_ino)


def _is_open_file(stream, path: Path) -> bool:
    """Whether ``path`` is the file ``stream`` reads (a named input, or standard input redirected from it)."""
    try:
        return _same_file(os.fstat(stream.fileno()), path)
    except (OSError, ValueError, AttributeError):  # no file descriptor behind the stream
        return False


#: The names of standard input an input option may be given.
STDIN_PATHS = ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")


def stdin_notice(what: str, command: str, paths) -> None:
    """Say on standard error that the command reads ``what`` from standard input when one of ``paths``
    is standard input and that is a terminal: else the command would seem to hang, waiting for typing."""
    if not any(str(p) in STDIN_PATHS for p in paths):
        return
    try:
        if not os.isatty(sys.stdin.fileno()):
            return
    except (AttributeError, OSError, ValueError):  # no standard input at all
        return
    err.print(f"reading {what} from standard input (end with Ctrl-D; see helpfirst {command} --help)",
              highlight=False, soft_wrap=True, markup=False)


def _parse_map(pairs: list[str]) -> dict[str, str]:
    from .ingest import parse_column_map

    try:
        return parse_column_map(pairs)
    except ValueError as exc:
        raise UserError(str(exc)) from None


@app.command()
def audit(
    paths: Annotated[list[Path], typer.Argument(help="Archive files to read (any mix of formats). '-' (standard input) or a pipe is first copied whole to a temporary file in TMPDIR, as every post must be seen: at most 8 GiB (HELPFIRST_MAX_PIPE_COPY), always leaving 1 GiB free there.", show_default=False)],
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="Source format (twcs, x-v2, mastodon, jsonl, csv); guessed from each file when omitted.")] = None,
    brand: Annotated[list[str], typer.Option("--brand", "-b", help="A brand handle (repeatable); formats that do not mark brand posts need it.")] = [],
    bot: Annotated[list[str], typer.Option("--bot", help="A bot/automation handle (repeatable); its posts never count as a response.")] = [],
    target: Annotated[Optional[str], typer.Option(help=escape("First-response target, e.g. 30m, 2h. [default: 30m or HELPFIRST_TARGET]"), show_default=False)] = None,
    business_hours: Annotated[Optional[str], typer.Option("--business-hours", help="Opening hours, e.g. 'Mon-Fri 09:00-17:00 Europe/London'.")] = None,
    holiday: Annotated[list[str], typer.Option("--holiday", help="A closed day (YYYY-MM-DD, repeatable or comma-separated).")] = [],
    column_map: Annotated[list[str], typer.Option("--map", help="Column mapping for jsonl/csv: FIELD=SOURCE_COLUMN (repeatable).")] = [],
    channel: Annotated[Optional[str], typer.Option(help="Channel name to record on the posts (default: from the format).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write the self-contained HTML report to this file.")] = None,
    model: Annotated[str, typer.Option("--model", help=escape("Signals model: fast (default install) or accurate (the [semantic] extra)."))] = "fast",
    no_signals: Annotated[bool, typer.Option("--no-signals", help="Only the core scorecard: no per-post signals, help requests or outcomes (faster).")] = False,
    mask_pii: Annotated[bool, typer.Option("--mask-pii", help="Mask e-mail addresses, phone and card numbers in every post text shown or written (terminal, JSON, HTML report); the figures are unchanged.")] = False,
) -> None:
    """Read archives of what people wrote to the brand and what it answered, and score how helpful it was."""
    from .audit import pandas_left_out, run_audit
    from .ingest import ImportFailed, ImportOptions
    from .measure.business_hours import BusinessHoursError, parse_business_hours, parse_holidays

    settings = load_settings()
    hours_text = business_hours or settings.business_hours
    holidays = holiday or ([settings.holidays] if settings.holidays else [])
    holidays_from = "--holiday" if holiday else setting_source("holidays")
    try:
        target_min = _target_minutes(target or settings.target, "--target" if target else setting_source("target"))
        try:
            parse_holidays(holidays)  # a bad date is an error even when there are no business hours to apply it to
        except BusinessHoursError as exc:
            raise UserError(f"{holidays_from}: {exc}") from None
        try:
            hours = parse_business_hours(hours_text, holidays) if hours_text else None
        except BusinessHoursError as exc:
            raise UserError(f"{'--business-hours' if business_hours else setting_source('business_hours')}: {exc}") from None
        mapping = _parse_map(column_map)
    except (ValueError, UserError) as exc:
        _fail(str(exc))
    if report is not None:
        for path in paths:
            try:
                read = os.stat(path)
            except OSError:
                continue  # the import names a missing file
            if _same_file(read, report):
                _fail(f"--report {report}: that is the archive {path}, and the report would overwrite it; "
                      "write the report to another file")
    if holidays and not hours_text:
        err.print(f"[yellow]warning:[/] {escape(holidays_from)} is ignored without --business-hours "
                  "(holidays only change the business-hours figures)", highlight=False, soft_wrap=True)
    total = sum(p.stat().st_size for p in paths if p.is_file())
    progress = _progress(total)
    signals = None if no_signals else model
    if signals is not None:
        from .signals import SignalsUnavailable, get_model

        try:
            get_model(signals)  # an unknown model or a missing extra fails before anything is read
        except SignalsUnavailable as exc:
            _fail(f"--model {signals}: {exc} (or run with --no-signals)")
    stdin_notice("an archive", "audit", paths)
    # the signals read every text; without them only the report shows replies
    options = ImportOptions(brands=frozenset(brand), bots=frozenset(bot), channel=channel, column_map=mapping,
                            texts="all" if report is not None or signals else "requests")
    try:
        if progress is not None:
            with progress, pandas_left_out():
                task = progress.add_task("reading", total=total)
                options.on_bytes = lambda n: progress.advance(task, n)
                result = run_audit(
                    paths, fmt=format, options=options, target_min=target_min, business_hours=hours,
                    on_stage=lambda name: progress.update(task, description=name, completed=total), signals=signals,
                    mask_pii=mask_pii,
                )
        else:
            with pandas_left_out():
                result = run_audit(paths, fmt=format, options=options, target_min=target_min, business_hours=hours,
                                   signals=signals, mask_pii=mask_pii)
    except ImportFailed as exc:
        _fail(str(exc))
    doc = result.to_dict()
    report_path = None
    failed = doc["rows_loaded"] == 0
    if report is not None and not failed:  # a failed run leaves the previous report as it is
        from .measure.report import render_report

        try:
            report_path = str(render_report(result, report))
        except BrokenPipeError:  # --report is a pipe whose reader stopped: a quiet end
            raise
        except OSError as exc:
            _fail(f"{report}: cannot write the report ({exc.strerror or exc})")
        doc["report"] = report_path
    try:
        if as_json:
            sys.stdout.write(json.dumps(doc, default=str) + "\n")
            sys.stdout.flush()
        else:
            from .measure.terminal import print_audit

            print_audit(doc, out, report_path)
    except (BrokenPipeError, SystemExit) as exc:  # the reader stopped: no error then, unless nothing was loaded
        if not failed or not _reader_stopped(exc):
            raise
    if failed:
        kept = f"; {report} was not written" if report is not None else ""
        _error_line(f"no posts could be loaded ({doc['rows_read']:,} rows read, {doc['rows_rejected']:,} rejected){kept}")
        raise typer.Exit(1)


@app.command()
def synth(
    posts: Annotated[int, typer.Option(help="How many posts to write.", min=1)] = 20_000,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="File to write.")] = Path("helpfirst-synth.csv"),
    format: Annotated[str, typer.Option("--format", "-f", help="twcs (Kaggle TWCS CSV) or jsonl (canonical posts).")] = "twcs",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same file.")] = 0,
) -> None:
    """Generate a realistic synthetic archive (many brands, long-tailed reply delays, multi-turn threads)."""
    if format not in ("twcs", "jsonl"):
        _fail(f"--format {format!r}: use twcs or jsonl")
    try:
        summary = _synth_with_progress(out_path, posts, format, seed)
    except BrokenPipeError:  # --out is a pipe whose reader stopped (-o /dev/stdout | head): a quiet end
        raise
    except OSError as exc:
        _fail(f"{out_path}: cannot write ({exc.strerror or exc})")
    err.print(
        f"wrote {summary['posts']:,} posts ({summary['conversations']:,} conversations, "
        f"{summary['brands']} brands) to {summary['path']}",
        highlight=False,
    )


def _synth_with_progress(out_path: Path, posts: int, fmt: str, seed: int) -> dict:
    from .synth import write_synthetic

    progress = _progress(posts) if posts >= 200_000 else None
    make_parent_folders(out_path)
    with atomic_path(out_path) as target:
        if progress is None:
            summary = write_synthetic(target, posts, fmt=fmt, seed=seed)
        else:
            progress.columns = (TextColumn("{task.description}"), BarColumn(),
                                TextColumn("{task.completed:,}/{task.total:,} posts"), TimeRemainingColumn())
            with progress:
                task = progress.add_task("generating", total=posts)
                summary = write_synthetic(target, posts, fmt=fmt, seed=seed,
                                          on_rows=lambda n: progress.advance(task, n))
    return {**summary, "path": str(out_path)}


@app.command()
def demo(
    posts: Annotated[int, typer.Option(help="Size of the generated archive.", min=100)] = 20_000,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the generated data and the report.")] = Path("helpfirst-demo"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    business_hours: Annotated[str, typer.Option("--business-hours", help="Opening hours used in the demo (the default fits the generated archive's clock: its customers write from morning to late evening, New York time, every day).")] = "Mon-Sun 08:00-22:00 America/New_York",
) -> None:
    """Generate a realistic archive, audit it and write the HTML scorecard: the whole job in one command."""
    from .audit import run_audit
    from .measure.business_hours import BusinessHoursError, parse_business_hours
    from .measure.report import render_report
    from .measure.terminal import print_audit

    try:
        hours = parse_business_hours(business_hours)
        out_dir.mkdir(parents=True, exist_ok=True)
        data = out_dir / "archive-twcs.csv"
        summary = _synth_with_progress(data, posts, "twcs", seed)
        err.print(f"generated {summary['posts']:,} posts to {data}", highlight=False)
        result = run_audit([data], business_hours=hours, signals="fast")
        report = render_report(result, out_dir / "helpfirst-report.html")
        write_text_atomic(out_dir / "scorecard.json", json.dumps(result.to_dict(), default=str, indent=1))
    except BusinessHoursError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out_dir}: cannot write the demo there ({exc.strerror or exc})")
    print_audit(result.to_dict(), out, str(report))
    out.print(f"\n[bold green]Open the report:[/] {escape(str(report.resolve()))}", highlight=False, soft_wrap=True)


@app.command()
def formats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the archive formats helpfirst reads."""
    from .ingest import formats as registry

    items = {name: imp.description for name, imp in sorted(registry().items())}
    if as_json:
        sys.stdout.write(json.dumps(items) + "\n")
        return
    for name, description in items.items():
        out.print(f"[bold]{name}[/]  {description}", highlight=False)


@app.command()
def classify(
    path: Annotated[str, typer.Argument(help="JSONL posts with id, text and role (customer|brand|bot); '-' reads standard input, streamed as it comes (never copied: an endless stream works).")] = "-",
    model: Annotated[str, typer.Option("--model", "-m", help="Signals model: fast (default install) or accurate (needs the semantic extra).")] = "fast",
    as_json: Annotated[bool, typer.Option("--json", help="Print the end-of-run summary as one JSON object (on stderr) instead of a sentence.")] = False,
    mask_pii: Annotated[bool, typer.Option("--mask-pii", help="Mask e-mail addresses, phone and card numbers; the output gets the masked text.")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Posts classified together.")] = 65536,
    languages: Annotated[Optional[str], typer.Option("--languages", help="ISO 639-1 codes, comma-separated: every detected language is one of them, or null (default: en,es,fr,de,pt,it,nl,ja,ar,tr,id,hi). The English shortcut applies only when en is listed.", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the JSONL here instead of standard output.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, help="Worker processes; 0 = one per CPU core. --model accurate always runs in one process (torch uses every core itself).")] = 0,
) -> None:
    """Classify posts: one JSON line of signals (intent, needs_help, complaint, reply_kind, sentiment, language, urgency) per input line."""
    from contextlib import ExitStack

    from .signals import SignalsUnavailable
    from .signals.classify import InputError, OutputError, classify_file

    langs = None
    if languages is not None:  # checked before any input is read; an empty list is no list
        from .signals.language import parse_languages

        try:
            langs = parse_languages(languages)
        except ValueError as exc:
            _fail(f"--languages {languages!r}: {exc}", 2)
    source = "<stdin>" if path == "-" else path
    shown = "<stdout>" if output is None else str(output)
    with ExitStack() as stack:
        try:
            src = sys.stdin if path == "-" else stack.enter_context(
                open(path, encoding="utf-8", errors="replace", newline="\n"))
        except OSError as exc:
            _fail(f"{path}: cannot open ({exc.strerror or exc})")
        stdin_notice("posts", "classify", [path])
        _refuse_non_text(src, source)
        if output is not None and _is_open_file(src, output):
            _fail(f"--out {output}: that is the input file, and writing would erase it before it is read; "
                  "write to another file")
        kept = False
        try:
            if output is not None:
                make_parent_folders(output)
            with (nullcontext(sys.stdout) if output is None else atomic_output(output)) as dst:
                stats = classify_file(src, dst, source=source, model=model, mask_pii=mask_pii,
                                      batch_size=batch_size, languages=langs, on_error=_error_line,
                                      jobs=jobs or len(os.sched_getaffinity(0)))
                if output is not None and stats.classified == 0:
                    raise _NothingWritten  # a failed run leaves the previous --out file as it is
        except _NothingWritten:
            kept = True
        except (SignalsUnavailable, ValueError) as exc:
            _fail(str(exc))
        except InputError as exc:
            _fail(f"{source}: cannot read ({exc})")
        except OutputError as exc:
            _fail(f"{shown}: cannot write ({exc})")
        except BrokenPipeError:  # the reader stopped (| head): main ends quietly, status 0
            raise
        except OSError as exc:  # making the new file beside --out, closing it, or renaming it into place
            _fail(f"{shown}: cannot write ({exc.strerror or exc})")
    summary = stats.to_dict()
    if as_json:
        sys.stderr.write(json.dumps(summary) + "\n")
    else:
        err.print(f"{summary['lines_read']:,} lines read: {summary['classified']:,} classified, "
                  f"{summary['rejected']:,} rejected ({summary['posts_per_s']:,.0f} posts/s)", highlight=False)
    if stats.classified == 0:
        why = (f"{source}: the file is empty" if stats.lines_read == 0
               else f"nothing could be classified ({stats.lines_read:,} lines read)")
        _error_line(why + (f"; {output} was not written" if kept else ""))
        raise typer.Exit(1)


class _NothingWritten(Exception):
    """Raised inside an atomic output to drop the new file: the run classified nothing."""


def _refuse_non_text(src, source: str) -> None:
    """Fail with one line for a compressed, UTF-16 or binary input (judged by its first bytes, as
    audit judges an archive), instead of one 'not JSON' line per line of it."""
    from .ingest import ImportFailed, check_text

    try:
        if os.isatty(src.fileno()):
            return  # typed: no compressed file there, and a peek would take the one Ctrl-D that ends the input
        head = src.buffer.peek(4096)[:4096]  # peek: standard input cannot be read twice
    except (AttributeError, OSError, ValueError):  # no byte buffer behind the stream
        return
    try:
        check_text(source, head)
    except ImportFailed as exc:
        _fail(str(exc))


from .suggest.cli import register as _register_suggest  # noqa: E402 - kb, suggest, eval

_register_suggest(app)


def main() -> None:
    """Entry point: run the app; unexpected errors become one line unless HELPFIRST_DEBUG is set."""
    from .readahead import start

    start(sys.argv[1:])  # an audit's archive is parsed while the audit loads (python -m started it sooner)
    _note_interrupts()
    _quiet_when_stderr_gone()
    try:
        app()
    except SystemExit as exc:  # how every command ends
        if _by_interrupt(exc) or (_SIGINT_AT and exc.code not in (0, None)):
            _interrupted()
        if _reader_stopped(exc):
            _exit_now(0)
        _exit_now(exc.code)
    except KeyboardInterrupt:  # before Typer runs the command
        _interrupted()
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if _SIGINT_AT and not debug_enabled():
            _interrupted()
        if _reader_stopped(exc):
            _exit_now(0)
        if debug_enabled():
            raise
        _error_line(f"{type(exc).__name__}: {exc} (set HELPFIRST_DEBUG=1 for details)")
        sys.exit(1)


#: When SIGINT arrived (empty: never). DuckDB turns the KeyboardInterrupt of a query it runs into
#: RuntimeError('Query interrupted'), so the exception alone does not always tell.
_SIGINT_AT: list[float] = []


def _note_interrupts() -> None:
    """Have SIGINT noted before it raises KeyboardInterrupt (left alone when it is ignored, as for a
    command started in the background by a script)."""
    import signal
    import time

    def on_sigint(signum, frame):
        _SIGINT_AT.append(time.monotonic())
        signal.default_int_handler(signum, frame)

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_sigint)


def _by_interrupt(exc: BaseException) -> bool:
    """Whether a command ended because of Ctrl-C (SIGINT): Typer turns the KeyboardInterrupt into
    Exit(130), so it is found among the exceptions the exit was raised from."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class _StderrGuard:
    """Standard error that stays writable when its reader goes (`2> >(true)`, `2>&1 | head`): the
    first EPIPE points it (file descriptor 2 too, for what writes there directly) at os.devnull and
    the work goes on. Only the reader of standard output (or of --out, --report) stopping ends a
    command quietly; messages nobody reads never change what a command does or its exit status."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            if not _is_epipe(exc):
                raise
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            if not _is_epipe(exc):
                raise
            self._gone()

    def _gone(self) -> None:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
            self._stream.flush()  # what was buffered goes to os.devnull now
        except (OSError, ValueError):
            self._stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the rest of the run

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _quiet_when_stderr_gone() -> None:
    if sys.stderr is not None and not isinstance(sys.stderr, _StderrGuard):
        sys.stderr = _StderrGuard(sys.stderr)


def _is_epipe(exc: BaseException | None) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.EPIPE


def _reader_stopped(exc: BaseException) -> bool:
    """Whether a command ended because the reader of its output went away (`| head`): writing to a
    pipe nobody reads any more raised EPIPE (BrokenPipeError). Such a command ends quietly with
    status 0, nothing said: stopping early was the reader's choice. Standard error raises no EPIPE
    (_StderrGuard): a broken pipe is always standard output's, --out's or --report's.

    Typer (for a write of the command or of its help) and Rich (Console.on_broken_pipe) turn the
    BrokenPipeError into SystemExit(1) while handling it; an EPIPE that only led to another error
    (a worker's pipe, reported as that worker's failure) is not the reader stopping.
    """
    if _is_epipe(exc):
        return True
    return isinstance(exc, SystemExit) and exc.code == 1 and _is_epipe(exc.__context__)


def _interrupted() -> None:
    """Say so on standard error and end with status 130, as a shell does for Ctrl-C."""
    err.print("interrupted", highlight=False)
    _exit_now(130)


def _exit_now(code: object) -> None:
    """End the process once the output is flushed, without the interpreter's teardown.

    An audit holds a gigabyte of columns; freeing them object by object takes a tenth of a second
    of a process that is ending anyway. Files are closed by then (context managers everywhere).
    """
    if code is not None and not isinstance(code, int):
        err.print(str(code), highlight=False, markup=False)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be written anyway
            pass
    if "helpfirst.ingest" in sys.modules:  # os._exit runs no atexit hook: the copies of pipes read go now
        sys.modules["helpfirst.ingest"].discard_copies()
    os._exit(code or 0)
