"""Start DuckDB's parse of an audit's TWCS archive while the command line is still loading.

`helpfirst audit FILE --json` spends its first few tenths of a second importing Typer, Rich,
numpy and pyarrow on one core. `start` (called by the entry points: `python -m helpfirst` before
it imports the CLI, `cli.main` before Typer parses the command line) begins parsing the first file
on a background thread meanwhile (DuckDB releases the GIL while it parses, on every
core); the TWCS importer `take`s the result when it reaches that file with the very same query,
and parses the file itself otherwise. It starts only for the plainest command line, when no
progress bar is shown. This module imports nothing but the standard library and, on its thread,
duckdb: it also holds the SQL of the parse, so that both paths build the same query.
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Collection, Iterator
from pathlib import Path

#: The longest record read; a longer one is rejected with a reason. DuckDB reads in buffers of
#: twice this size per thread: larger ones cost page faults (time) for nothing.
MAX_RECORD_BYTES = 8 << 20

#: Name of the rejects tables of a parse (each parse has its own connection).
REJECTS = "csv_rejects"

TWCS_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")

#: Twitter escapes &, < and > in tweet text; the post record holds the plain text. Done while
#: parsing (in parallel; only texts with an & pay).
_UNESCAPE_SQL = (
    "CASE WHEN contains({c}, '&') THEN replace(replace(replace({c}, '&lt;', '<'), '&gt;', '>'), '&amp;', '&') "
    "ELSE {c} END"
)

#: Options of `helpfirst audit` that leave the parse as it is (all others: no read-ahead).
_NEUTRAL_FLAGS = frozenset({"--json", "--no-signals", "--mask-pii"})


def read_csv_sql(width: int, rejects: str = REJECTS, max_record_bytes: int = MAX_RECORD_BYTES) -> str:
    """The read_csv(...) call over the parameter $path: every column VARCHAR, named c0, c1, ...

    Rejected records go to the temporary tables `{rejects}_errors` and `{rejects}_scans`. Empty
    unquoted values are NULL, a quoted "" is the empty string.
    """
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    return (
        f"read_csv($path, header = true, columns = {{{columns}}}, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false, "
        f"store_rejects = true, rejects_table = '{rejects}_errors', rejects_scan = '{rejects}_scans', "
        f"max_line_size = {max_record_bytes}, buffer_size = {2 * max_record_bytes})"
    )


def twcs_sql(header: list[str], requests_only: bool, source: str) -> str:
    """The TWCS columns (as text, texts unescaped) of the records `source` (read_csv_sql) reads.

    `requests_only`: leave out the text of rows that surely cannot open a conversation (brand
    posts, and replies: a parent id starting with a digit) - most of the bytes of a file.
    """
    columns = {c: f"c{header.index(c)}" for c in TWCS_COLUMNS}
    text = _UNESCAPE_SQL.format(c=columns["text"])
    if requests_only:
        parent, inbound = columns["in_response_to_tweet_id"], columns["inbound"]
        # a text holding a NUL is kept so that the row is rejected as it is with the texts read
        text = (f"CASE WHEN ({inbound} = 'False' OR ({parent} >= '0' AND {parent} < ':')) "
                f"AND NOT contains({columns['text']}, chr(0)) THEN NULL ELSE {text} END")
    projection = ", ".join(
        f"{text} AS {name}" if name == "text" else f"{column} AS {name}" for name, column in columns.items()
    )
    return f"SELECT {projection} FROM {source}"


def csv_header(path: Path) -> tuple[list[str], int]:
    """The first CSV record (column names, BOM and spaces stripped) and how many lines it spans.

    A name given to two columns (as the importers match names: after stripping) makes a column an
    importer reads unclear (only one of the two would be read, the other's data silently dropped):
    each importer checks the columns it reads with refuse_repeated_columns.
    """
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        try:
            row = next(reader, [])
        except csv.Error:
            row = []
        lines = reader.line_num
    return [c.lstrip("\ufeff").strip() for c in row], lines


def refuse_repeated_columns(path: Path, header: list[str], used: Collection[str] | None = None) -> None:
    """Raise ingest.base.ImportFailed "path:1: ..." when a column in `used` (None: any) is named twice."""
    repeated = repeated_columns(header, used)
    if repeated:
        from .ingest.base import ImportFailed  # loaded by then: only the importers check

        raise ImportFailed(f"{path}:1: {repeated}")


def repeated_columns(header: list[str], used: Collection[str] | None = None) -> str | None:
    """What is wrong with a header naming a column twice (the first such name), or None.

    `used`: only the names in it count (the columns an importer reads); None: every name.
    """
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name or (used is not None and name not in used):
            continue  # an unnamed column is never read
        if name in seen:
            shown = name if len(name) <= 60 and name.isprintable() else repr(name[:60])
            return (
                f"the header names column {shown!r} twice (columns {seen[name] + 1} and {i + 1}): "
                "which one holds the data is unclear; rename or remove one"
            )
        seen[name] = i
    return None


def parse(con: object, path: Path, sql: str) -> tuple[object, list[tuple]]:
    """Run a parse on `con` (a DuckDB connection): the records as an Arrow table, and the rejects
    rows (line, error_type, column_idx, error_message) in file order. Drops the rejects tables."""
    # DuckDB draws its own progress bar on stdout when a query runs over two seconds: it would
    # end up in `--json` output (progress is tracked still, for the importer's own bar)
    con.execute("SET enable_progress_bar_print = false")
    records = con.sql(sql, params={"path": str(path)}).to_arrow_table()
    rejected = con.sql(
        f"""SELECT line, error_type, column_idx, error_message FROM {REJECTS}_errors
            ORDER BY line, column_idx NULLS LAST"""
    ).fetchall()
    con.execute(f"DROP TABLE IF EXISTS {REJECTS}_errors")
    con.execute(f"DROP TABLE IF EXISTS {REJECTS}_scans")
    return records, with_skipped_records(path, rejected)


#: The error type DuckDB gives a record over max_line_size (the one given to a record it skipped unnoted).
LINE_TOO_LONG = "LINE SIZE OVER MAXIMUM"


def with_skipped_records(path: Path, rejected: list[tuple], max_record_bytes: int = MAX_RECORD_BYTES) -> list[tuple]:
    """The rejects rows of a parse of `path`, with the records DuckDB skipped without a note added.

    DuckDB (2.0) drops a line longer than its read buffer (2 * max_record_bytes) with no row in the
    rejects table, and numbers the rows after it one lower. Only a file with an aligned block of
    max_record_bytes holding no line feed can have such a line (one page read per block finds
    out); for it alone, one pass of csv.reader finds the records over max_record_bytes: each that
    DuckDB did not note is added as LINE_TOO_LONG and the rows after it renumbered.
    """
    if not _may_hold_line_over(path, 2 * max_record_bytes):
        return rejected
    overlong = _rows_over(path, max_record_bytes)
    if not overlong:
        return rejected
    # a long record DuckDB noted at all (as too long, or as a quote error when it is quoted) is not one it skipped
    noted = {int(r[0]) for r in rejected}
    skipped: list[int] = []
    for row in overlong:  # true row numbers; DuckDB numbers a row `len(skipped)` lower
        if row - len(skipped) not in noted:
            skipped.append(row)

    def true_row(line: int) -> int:
        for row in skipped:
            if row <= line:
                line += 1
        return line

    too_long = (LINE_TOO_LONG, None, f"the record is longer than {max_record_bytes} bytes")
    long_rows = set(overlong)
    out = []
    for r in rejected:  # a long quoted record DuckDB calls a quote error: say what it is
        row = true_row(int(r[0]))
        out.append((row, *too_long) if row in long_rows and r[1] != LINE_TOO_LONG else (row, *r[1:]))
    out += [(row, too_long[0], None, too_long[2] + " (skipped by the parser)") for row in skipped]
    out.sort(key=lambda r: (r[0], r[2] is None, r[2] or 0))
    return out


def _may_hold_line_over(path: Path, size: int) -> bool:
    """Whether `path` may hold a line of `size` bytes or more: some aligned block of size // 2
    holds no line feed (a line that long covers a whole such block)."""
    import mmap

    block = max(1, size // 2)
    try:
        with path.open("rb") as fh:
            total = os.fstat(fh.fileno()).st_size
            if total < size:
                return False
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                return any(mm.find(b"\n", start, start + block) < 0 for start in range(0, total - block + 1, block))
    except (OSError, ValueError):
        return False


def _rows_over(path: Path, limit: int) -> list[int]:
    """Row numbers (as DuckDB and csv.reader number them: header = 1, blank lines count) of the
    CSV records of `path` longer than `limit` bytes."""
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    out: list[int] = []
    size = [0]  # bytes of the record being read

    def lines(fh) -> Iterator[str]:
        for line in fh:
            # a line of n characters holds n to 4n bytes: encode only the ones that may be long
            size[0] += len(line) if 4 * len(line) <= limit else len(line.encode("utf-8", "surrogateescape"))
            yield line

    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(lines(fh))
        row = 0
        try:
            for _fields in reader:
                row += 1
                if size[0] > limit:
                    out.append(row)
                size[0] = 0
        except csv.Error:
            pass
    return out


class _Ahead:
    """One parse running on its own thread."""

    def __init__(self, path: Path, sql: str) -> None:
        self.key = _key(path, sql)
        self.path, self.sql = path, sql
        self.result: tuple | None = None
        self.error: BaseException | None = None
        # imported here, not on the thread: there it would take turns for the GIL with the CLI's
        # own imports and start the parse (which needs no GIL) a tenth of a second later
        try:
            import duckdb  # noqa: F401
        except ImportError:
            pass  # the thread fails the same way and hands the error to the importer
        self.thread = threading.Thread(target=self._run, name="readahead", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            import duckdb

            con = duckdb.connect()
            try:
                self.result = parse(con, self.path, self.sql)
            finally:
                con.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the importer, which reports it
            self.error = exc


_AHEAD: _Ahead | None = None

#: glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3


def keep_freed_memory() -> bool:
    """Have glibc's malloc reuse the memory an audit frees instead of returning it to the system.

    An audit allocates and frees numpy arrays of tens of MB at every step. By default glibc maps
    each such array afresh and unmaps it when freed, so each new one pays for new zeroed pages
    (page faults: a quarter of an audit's CPU time on 2.8M posts went to the kernel). Arrays up
    to 32 MB (a 4M-post int64 column) now come from the heap, which keeps up to 1 GB it no longer
    uses; the peak memory stays the same. True when set (glibc only).
    """
    if not hasattr(os, "confstr") or "CS_GNU_LIBC_VERSION" not in os.confstr_names:
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, ValueError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    ok = mallopt(_M_MMAP_THRESHOLD, 32 << 20) == 1
    ok &= mallopt(_M_TRIM_THRESHOLD, 1 << 30) == 1
    ok &= mallopt(_M_TOP_PAD, 64 << 20) == 1
    return bool(ok)


def _key(path: Path, sql: str) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, sql)


def start(argv: list[str], interactive: bool | None = None) -> bool:
    """Begin parsing the file of `audit FILE [FILE...] [--json] [--no-signals]` when it is a TWCS
    file; True if started.

    Not when stderr is a terminal (the progress bar follows the importer's own parse) or for any
    other option, which might change what is read. Any audit first calls keep_freed_memory.
    """
    global _AHEAD
    if argv[:1] == ["audit"]:
        keep_freed_memory()
    if interactive is None:
        interactive = os.isatty(2)
    if _AHEAD is not None or interactive or len(argv) < 2 or argv[0] != "audit":
        return False
    paths = [a for a in argv[1:] if a not in _NEUTRAL_FLAGS]
    if not paths or any(a.startswith("-") for a in paths):
        return False
    path = Path(paths[0])
    try:
        if not path.is_file():
            return False
        header, _lines = csv_header(path)
    except (OSError, UnicodeError):
        return False
    if not set(TWCS_COLUMNS) <= set(header) or repeated_columns(header, TWCS_COLUMNS):
        return False  # not TWCS, or a file the importer refuses
    # the signals (on unless --no-signals) read every text; the core scorecard only requests' texts
    _AHEAD = _Ahead(path, twcs_sql(header, "--no-signals" in argv, read_csv_sql(len(header))))
    return True


def take(path: Path, sql: str) -> tuple[object, list[tuple]] | None:
    """The result of the parse started for `path` with exactly `sql`, waiting for it; else None.

    Raises what the parse raised. A result is handed out once.
    """
    global _AHEAD
    ahead = _AHEAD
    if ahead is None or ahead.key is None or ahead.key != _key(path, sql):
        return None
    _AHEAD = None
    ahead.thread.join()
    if ahead.error is not None:
        raise ahead.error
    return ahead.result
