"""The canonical post format, as CSV (`csv`) or JSON Lines (`jsonl`).

Fields: id, channel, conversation_id, parent_id, author, author_role (customer|brand|bot), brand,
created_at (ISO 8601; no offset = UTC), text, url, likes, reposts. Required: id, author,
created_at; author_role, or --brand handles to tell brand posts from the rest.

`ImportOptions.column_map` maps a canonical field to the column (CSV) or key (JSON; dotted paths
such as "user.name" reach into nested objects) that holds it in another export, e.g.
{"id": "message_id", "text": "body", "created_at": "timestamp"}.

Both formats go through the same vectorised checks (`_Rules.convert`), one batch at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..posts import POST_FIELDS, ROLES, nfc_column, posts_batch
from ..readahead import refuse_repeated_columns, repeated_columns
from . import register
from .base import ImportFailed, ImportOptions, ImportReport, Importer
from .common import (
    EARLIEST_US,
    LATEST_US,
    out_of_range,
    ArrowCsvRead,
    FieldError,
    bot_handles,
    csv_first_bad_row,
    csv_quote_damage,
    csv_records,
    QuotedValues,
    line_break_values,
    repaired_csv,
    csv_header,
    decode_utf8,
    first_brand_mention,
    first_line,
    get_path,
    handle_lookup,
    is_blank,
    iter_json_records,
    json_kind,
    lacks_time_of_day,
    nul_reason,
    nul_rows,
    no_time_of_day,
    normalise_ids,
    one_line,
    parse_counts,
    parse_iso,
    parse_iso_timestamps,
    preview,
    to_count,
    to_id,
    to_text,
)

REQUIRED = ("id", "author", "created_at")
_ID_FIELDS = ("id", "conversation_id", "parent_id", "author")
_COUNT_FIELDS = ("likes", "reposts")
_NULL_STR = pa.scalar(None, pa.string())


def source_names(options: ImportOptions, path: Path) -> dict[str, str]:
    """Canonical field -> the column/key that holds it (the column map applied)."""
    empty = sorted(f for f, c in options.column_map.items() if not (c or "").strip())
    if empty:
        raise ImportFailed(f"{path}: column map gives no source column for {', '.join(empty)} (give it as --map {empty[0]}=COLUMN)")
    unknown = sorted(set(options.column_map) - set(POST_FIELDS))
    if unknown:
        raise ImportFailed(
            f"{path}: column map names unknown field(s) {', '.join(unknown)}; "
            f"canonical fields are {', '.join(POST_FIELDS)}"
        )
    return {f: (options.column_map.get(f) or f) for f in POST_FIELDS}


class _Rules:
    """The canonical checks and role/brand decisions, applied to a batch of string columns."""

    def __init__(self, options: ImportOptions, names: dict[str, str], default_channel: str) -> None:
        self.names = names
        self.channel = options.channel or default_channel
        self.brands = handle_lookup(options.brands)
        self.bots = bot_handles(options)

    def convert(
        self, cols: dict[str, pa.Array], n: int, rejected: np.ndarray | None = None, reasons: dict | None = None
    ) -> tuple[pa.RecordBatch, list[tuple[int, str, str]]]:
        """String columns by canonical field (absent = None) -> (posts, [(row, field, reason)]).

        `rejected`/`reasons` carry rows already found bad (e.g. invalid UTF-8); the first reason
        found for a row is the one reported.
        """
        rejected = np.zeros(n, dtype=bool) if rejected is None else rejected
        reasons = {} if reasons is None else reasons
        names = self.names

        def flag(mask: np.ndarray, fld: str, reason) -> None:
            for i in np.flatnonzero(mask & ~rejected):
                reasons[int(i)] = (names[fld], reason(int(i)) if callable(reason) else reason)
            rejected[:] |= mask

        def column(fld: str) -> pa.Array:
            value = cols.get(fld)
            return pa.nulls(n, pa.string()) if value is None else value

        for fld in POST_FIELDS:  # first: a NUL is the reason, not what it makes of the value
            nul = nul_rows(cols[fld]) if cols.get(fld) is not None else None
            if nul is not None:
                flag(nul, fld, nul_reason(names[fld]))
        ids = normalise_ids(column("id"))
        flag(pc.is_null(ids).to_numpy(zero_copy_only=False), "id", "missing id")
        authors = nfc_column(pc.utf8_trim_whitespace(column("author")))
        flag(is_blank(authors), "author", "missing author")
        # a handle is what follows the '@'s: '@' alone names no one (it would become the brand '')
        bare = pc.utf8_ltrim(authors, characters="@")
        flag(pc.equal(pc.utf8_length(bare), 0).fill_null(False).to_numpy(zero_copy_only=False), "author",
             "missing author ('@' alone names no one)")
        created_raw = column("created_at")
        blank_time = is_blank(created_raw)
        flag(blank_time, "created_at", "missing created_at")
        created, bad_time = parse_iso_timestamps(pc.if_else(pa.array(blank_time), _NULL_STR, created_raw))
        flag(
            bad_time & ~blank_time,
            "created_at",
            lambda i: f"created_at is not an ISO 8601 date-time: {preview(created_raw[i].as_py())}",
        )
        flag(
            lacks_time_of_day(created_raw, ~(bad_time | blank_time)),
            "created_at",
            lambda i: no_time_of_day(names["created_at"], created_raw[i].as_py()),
        )
        micros = created.cast(pa.int64())
        outside = pc.or_(pc.less(micros, EARLIEST_US), pc.greater(micros, LATEST_US))
        if pc.any(outside).as_py():
            flag(outside.fill_null(False).to_numpy(zero_copy_only=False), "created_at",
                 lambda i: out_of_range(names["created_at"], created_raw[i].as_py()))
        counts = {}
        for fld in _COUNT_FIELDS:
            values, bad = parse_counts(column(fld))
            flag(bad, fld, lambda i, fld=fld: f"{fld} must be a whole number >= 0, not {preview(cols[fld][i].as_py())}")
            counts[fld] = values

        # the same rule as common.match_handle: a remote 'acme@other.example' is not a bare 'acme'
        lower = pc.utf8_lower(bare)
        is_brand_author = _in(lower, self.brands)
        is_bot_author = _in(lower, self.bots)
        role_raw = cols.get("author_role")
        if role_raw is None:
            role_given = pa.nulls(n, pa.string())
        else:
            role_given = pc.utf8_lower(pc.utf8_trim_whitespace(role_raw))
            role_given = pc.if_else(pa.array(is_blank(role_given)), _NULL_STR, role_given)
            known = pc.or_kleene(pc.is_null(role_given), pc.is_in(role_given, value_set=pa.array(ROLES)))
            known = known.fill_null(True).to_numpy(zero_copy_only=False)
            flag(
                ~known,
                "author_role",
                lambda i: f"unknown author_role {preview(role_raw[i].as_py())} (expected customer, brand or bot)",
            )
        derived = np.where(is_bot_author, "bot", np.where(is_brand_author, "brand", "customer"))
        roles = pc.coalesce(role_given, pa.array(derived, type=pa.string()))

        brand = nfc_column(pc.utf8_trim_whitespace(column("brand")))
        brand = pc.if_else(pa.array(is_blank(brand)), _NULL_STR, brand)
        channel = pc.utf8_trim_whitespace(column("channel"))
        channel = pc.if_else(pa.array(is_blank(channel)), pa.scalar(self.channel), channel)
        texts = column("text")

        # brand of posts that do not say: a brand post's own handle (as given with --brand), else,
        # only for rows without an author_role (docs/formats.md: the --brand rules are for rows that
        # do not say who the brand is), the first --brand handle the text @mentions. A row with a
        # role keeps an empty brand: the scorecard takes the first known brand it mentions.
        need = is_blank(brand) & ~rejected
        if need.any():
            role_np = roles.to_numpy(zero_copy_only=False)
            no_role = pc.is_null(role_given).to_numpy(zero_copy_only=False)
            brand_list = brand.to_pylist()
            author_list = authors.to_pylist()
            text_list = texts.to_pylist() if self.brands else None
            for i in np.flatnonzero(need):
                if role_np[i] == "brand":
                    handle = author_list[i].lstrip("@")
                    key = handle.lower()
                    brand_list[i] = self.brands.get(key) or handle
                elif text_list is not None and no_role[i]:
                    brand_list[i] = first_brand_mention(text_list[i], self.brands)
            brand = pa.array(brand_list, type=pa.string())

        out = posts_batch(
            {
                "id": ids,
                "channel": channel,
                "conversation_id": normalise_ids(column("conversation_id")),
                "parent_id": normalise_ids(column("parent_id")),
                "author": authors,
                "author_role": roles,
                "brand": brand,
                "created_at": created,
                "text": texts,
                "url": column("url"),
                "likes": counts["likes"],
                "reposts": counts["reposts"],
            },
            handles_nfc=True,  # authors and brands were put in NFC above, for the --brand/--bot lookups
        )
        if rejected.any():
            out = out.filter(pa.array(~rejected))
        found = [(i, fld, reason) for i, (fld, reason) in sorted(reasons.items())]
        return out, found


def _in(values: pa.Array, lookup: dict[str, str]) -> np.ndarray:
    if not lookup:
        return np.zeros(len(values), dtype=bool)
    return pc.is_in(values, value_set=pa.array(list(lookup), type=pa.string())).fill_null(False).to_numpy(
        zero_copy_only=False
    )


# --- CSV --------------------------------------------------------------------------------------------


@register
class CsvImporter(Importer):
    """Reads canonical posts from CSV, or other CSV exports through a column map."""

    name = "csv"
    takes_column_map = True
    description = "Canonical posts as CSV (id, author, created_at, text, ...); other exports through a column map"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").strip()
        if first.startswith(("{", "[")):
            return False
        cols = {c.strip().strip('"').strip() for c in first.split(",")}
        return {"id", "created_at"} <= cols

    def read(self, path: Path, options: ImportOptions, report: ImportReport) -> Iterator[pa.RecordBatch]:
        names = source_names(options, path)
        header, header_lines = csv_header(path)
        if not header or not any(header):
            raise ImportFailed(f"{path}:1: no header line with column names")
        # only the columns read must be named once: other columns (notes,notes) are not read
        refuse_repeated_columns(path, header, set(names.values()))
        missing = [names[f] for f in REQUIRED if names[f] not in header]
        missing += [names[f] for f in options.column_map if f not in REQUIRED and names[f] not in header]
        if missing:
            raise ImportFailed(
                f"{path}:1: missing column(s) {', '.join(missing)}; found: {one_line(', '.join(header))}"
            )
        if names["author_role"] not in header and not options.brands:
            raise ImportFailed(
                f"{path}:1: no {names['author_role']} column and no --brand handles: "
                "cannot tell brand posts from customer posts"
            )
        present = {f: names[f] for f in POST_FIELDS if names[f] in header}
        rules = _Rules(options, names, "unknown")
        read = _CsvRead(path, header, header_lines, present, rules, options, report)
        damage = yield from read.stream(path, check=True)
        if damage is None:
            return
        # the error path: a quote that never closes swallowed the records after it; read the file
        # again with the damaged records' first lines blanked, past the records already loaded
        with repaired_csv(path, header, damage) as (found, repaired):
            for d in found:
                report.rows_read += 1
                read.pending_damage.append(d)
            yield from read.stream(repaired, check=False)


class _CsvRead:
    """One canonical CSV file read with Arrow; `stream` may run twice (see CsvImporter.read)."""

    def __init__(self, path, header, header_lines, present, rules, options, report) -> None:
        self.path, self.header, self.header_lines = path, header, header_lines
        self.present, self.rules, self.options, self.report = present, rules, options, report
        # the column names as we read them (spaces around names stripped), so Arrow skips the header
        self.column_names = [c if c else f"_column{i + 1}" for i, c in enumerate(header)]
        self.sources = list(dict.fromkeys(present.values()))
        self.done = 0  # well-formed records converted (and counted as read) so far
        self.pending: list[tuple[int, str, str]] = []
        self.pending_damage: list = []
        self.quoted: QuotedValues | None = None
        self.reported = 0  # bytes told to options.on_bytes so far
        self.order = {c: header.index(c) for c in self.sources}

    def _multiline_intact(self, batch: pa.RecordBatch, data: Path) -> bool:
        """Whether every value of `batch` with a line break is in the file quoted exactly as read.

        Only values that could have swallowed records are looked up: when Arrow reads a swallowing
        record as well-formed, the quote that ended it opened the same column k of a later line, so
        the value's last line holds that line's first k fields, and k commas (a malformed record
        makes the caller check anyway).
        """
        found = [
            (row, self.order[c], value)
            for c in self.sources
            for row, value in line_break_values(batch.column(c), self.order[c])
        ]
        if not found:
            return True
        if self.quoted is None:
            self.quoted = QuotedValues(data)
        found.sort(key=lambda f: (f[0], f[1]))
        intact = self.quoted.intact
        return all(intact(value) for _row, _position, value in found)

    def stream(self, data: Path, check: bool):
        """Yield posts of the records of `data` past the first `done`; return the quote damage
        found when `check` (the read is then abandoned, nothing reported), else None."""
        path, report = self.path, self.report
        csv_read = ArrowCsvRead(path, len(self.header), report, lines_from=data, reported=self.reported)
        csv_read.pending = self.pending
        try:
            source = pa.OSFile(str(data))
        except OSError as exc:
            raise ImportFailed(f"{path}: cannot be read ({exc})") from None
        record, abandoned = 0, False
        try:
            with csv_read.quiet():
                reader = _open_csv(path, source, self.column_names, self.header_lines, self.sources, csv_read.on_invalid)
                for batch in csv_read.batches(reader, lambda exc: _parse_failure(path, len(self.header), exc, " further")):
                    # a malformed record over several lines, or a multi-line value the file does not
                    # hold as read: a quote that never closes may have taken in what follows (a
                    # strict pass, once)
                    if check and (csv_read.multiline_invalid or not self._multiline_intact(batch, data)):
                        check = False
                        damage = csv_quote_damage(path, self.header)
                        if damage[0]:
                            abandoned = True
                            return damage
                    if record + batch.num_rows <= self.done:
                        record += batch.num_rows
                        continue
                    if record < self.done:
                        batch, record = batch.slice(self.done - record), self.done
                    n = batch.num_rows
                    out, found = self.rules.convert(*_decode(batch, self.present))
                    report.rows_read += n
                    for i, fld, reason in found:
                        self.pending.append((record + i + 1, fld, reason))
                    record += n
                    self.done = record
                    csv_read.progress(source, self.options.on_bytes)
                    self.reported = csv_read.reported
                    if out.num_rows:
                        yield out
            if check and csv_read.multiline_invalid:  # the last block held only malformed records
                damage = csv_quote_damage(path, self.header)
                if damage[0]:
                    abandoned = True
                    return damage
        finally:
            source.close()
            if self.quoted is not None:
                self.quoted.close()
                self.quoted = None
            if not abandoned:
                csv_read.report_rejections(self.pending_damage)
        return None


#: Arrow's CSV block: a record may straddle two blocks, no more
CSV_BLOCK = 8 << 20


def _open_csv(path: Path, source, column_names: list[str], header_lines: int, sources: list[str], on_invalid):
    """A streaming reader of the data rows, every used column as raw bytes."""
    try:
        return pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(
                block_size=CSV_BLOCK, use_threads=True, column_names=column_names, skip_rows=header_lines
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=sources,
                column_types={c: pa.binary() for c in sources},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise _parse_failure(path, len(column_names), exc, "") from None


def _decode(batch: pa.RecordBatch, present: dict[str, str]) -> tuple[dict, int, np.ndarray, dict]:
    """Raw byte columns -> strings by canonical field, with the rows whose bytes are not UTF-8."""
    n = batch.num_rows
    rejected = np.zeros(n, dtype=bool)
    reasons: dict[int, tuple[str, str]] = {}
    cols: dict[str, pa.Array] = {}
    decoded: dict[str, pa.Array] = {}
    for fld, src in present.items():
        if src not in decoded:
            values, bad = decode_utf8(batch.column(src))
            for i in np.flatnonzero(bad & ~rejected):
                reasons[int(i)] = (src, "bytes are not valid UTF-8")
            rejected |= bad
            decoded[src] = values
        cols[fld] = decoded[src]
    return cols, n, rejected, reasons


def _parse_failure(path: Path, width: int, exc: BaseException, further: str) -> ImportFailed:
    """The one-line error for a CSV that Arrow cannot parse (further), naming the line when we can find it."""
    if "straddl" in str(exc):  # a record longer than the two 8 MiB blocks Arrow can hold at once
        # Arrow reads a record of up to 8 MiB, and often more: name the first over 16 MiB, else over 8
        line = _first_long_line(path, 2 * CSV_BLOCK) or _first_long_line(path, CSV_BLOCK)
        where = f"{path}:{line}" if line else str(path)
        return ImportFailed(f"{where}: the CSV cannot be parsed{further}: a record is too long to read (over "
                            f"{CSV_BLOCK >> 20} MiB{', this line' if line else ''}); the rows after it were not read: "
                            "shorten or remove it")
    line = csv_first_bad_row(path, width)
    where = f"{path}:{line}" if line else str(path)
    return ImportFailed(f"{where}: the CSV cannot be parsed{further}: {one_line(first_line(exc))}")


def _first_long_line(path: Path, limit: int) -> int | None:
    """Number of the first physical line longer than `limit` bytes (one pass in 1 MiB reads), or None."""
    line, run = 1, 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                start = 0
                for end in _newlines(chunk):
                    if run + end - start > limit:
                        return line
                    line, run, start = line + 1, 0, end + 1
                run += len(chunk) - start
                if run > limit:
                    return line
    except OSError:
        return None
    return None


def _newlines(chunk: bytes):
    at = chunk.find(b"\n")
    while at != -1:
        yield at
        at = chunk.find(b"\n", at + 1)


# --- JSON Lines ---------------------------------------------------------------------------------------


@register
class JsonlImporter(Importer):
    """Reads canonical posts from JSON Lines (or a JSON array), other layouts through a column map."""

    name = "jsonl"
    takes_column_map = True
    description = "Canonical posts as JSON Lines (one object per line; a JSON array works too); column map with dotted paths"

    def sniff(self, path: Path, head: bytes) -> bool:
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        for raw in head.split(b"\n"):
            if not raw.strip():
                continue
            line = raw.strip()
            if not line.startswith(b"{"):
                return False
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):
                if b"\r" in line:  # lines ended by a lone CR (old Mac line ends): judge the first one
                    return self.sniff(path, line.split(b"\r", 1)[0] + b"\n")
                # a first line longer than the head: judge by its keys
                return len(raw) >= len(head) - 1 and b'"id"' in line and (b'"text"' in line or b'"created_at"' in line)
            return isinstance(obj, dict) and "id" in obj and ("text" in obj or "created_at" in obj)
        return False

    def read(self, path: Path, options: ImportOptions, report: ImportReport) -> Iterator[pa.RecordBatch]:
        names = source_names(options, path)
        rules = _Rules(options, names, "unknown")
        file = str(path)
        role_key = names["author_role"]
        values: dict[str, list] = {f: [] for f in POST_FIELDS}
        lines: list[int] = []
        # rows rejected before the batch's checks, reported with its rejections in line order
        early: list[tuple[int, str | None, str]] = []

        def reject(line: int, fld: str | None, reason: str) -> None:
            early.append((line, fld, reason))

        def flush() -> pa.RecordBatch | None:
            out, found = None, []
            if lines:
                cols = {f: pa.array(v, type=pa.string()) for f, v in values.items()}
                out, found = rules.convert(cols, len(lines))
            rejected = early + [(lines[i], fld, reason) for i, fld, reason in found]
            rejected.sort(key=lambda r: r[0])  # stable: one line's rejections keep their order
            for line, fld, reason in rejected:
                report.reject(file, line, fld, reason)
            for v in values.values():
                v.clear()
            lines.clear()
            early.clear()
            return out

        failure: ImportFailed | None = None
        try:
            for record in iter_json_records(path, options.on_bytes):
                if len(lines) + len(early) >= max(1, options.batch_rows):
                    out = flush()  # (a file of mostly bad rows holds no more than a batch of them either)
                    if out is not None and out.num_rows:
                        yield out
                report.rows_read += 1
                if record.error is not None:
                    reject(record.line, record.field, record.error)
                    continue
                obj = record.value
                if not isinstance(obj, dict):
                    reject(record.line, None, f"not a JSON object (found {json_kind(obj)})")
                    continue
                try:
                    row = {f: _json_value(f, get_path(obj, names[f]), names[f]) for f in POST_FIELDS}
                except FieldError as exc:
                    reject(record.line, exc.field, exc.reason)
                    continue
                # a key given empty ("" or null) is an empty author_role (role from the handles, as
                # an empty CSV cell); only a row without the key cannot tell
                if row["author_role"] is None and not rules.brands and not _has_path(obj, role_key):
                    reject(
                        record.line,
                        role_key,
                        f"no {role_key} and no --brand handles: cannot tell whether the author is the brand",
                    )
                    continue
                for f in POST_FIELDS:
                    values[f].append(row[f])
                lines.append(record.line)
        except ImportFailed as exc:
            failure = exc
        if lines or early:
            out = flush()
            if out is not None and out.num_rows:
                yield out
        if failure is not None:
            raise failure


_ABSENT = object()


def _has_path(record: dict, path: str) -> bool:
    """Whether `record` holds the key `path` (a dotted path into nested objects, as get_path), whatever its value."""
    return get_path(record, path, _ABSENT) is not _ABSENT


def _json_value(fld: str, value: object, name: str) -> str | None:
    """A JSON value of one canonical field as the string the shared checks read (FieldError if unusable)."""
    if fld in _ID_FIELDS:
        return to_id(value, name)
    if fld in _COUNT_FIELDS:
        number = to_count(value, name)
        return None if number is None else str(number)
    if fld == "created_at" and value is not None and not isinstance(value, str):
        parsed = parse_iso(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if parsed is None:
            raise FieldError(f"{name} is not an ISO 8601 date-time: {preview(value)}", name)
        return parsed.isoformat()
    return to_text(value, name)


# --- optional signal fields -----------------------------------------------------------------------------

#: Per-post values a history may carry beyond the post record: the conversation's outcome and what kind
#: of reply a brand post is. The audit leaves them alone (it computes its own); `helpfirst suggest` uses them.
SIGNAL_FIELDS = {
    "outcome": ("resolved", "redirected", "unresolved", "abandoned", "unanswered", "unconfirmed"),
    "reply_kind": ("solution", "redirect", "clarify", "acknowledge", "other"),
}


def read_signal_fields(
    path: Path,
    options: ImportOptions,
    columns: dict[str, str] | None = None,
    skip_lines: frozenset[int] | set[int] = frozenset(),
    repaired: bool = False,
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """({post id: {field: value}}, errors) for the optional `outcome`/`reply_kind` of a canonical CSV or JSONL file.

    `columns` maps a signal field to the column/key holding it (default: its own name). The values
    follow the rows the importer keeps: rows on `skip_lines` (the lines it rejected) are left out,
    and of the rows left, the first with an id gives that post's values (the importer keeps the
    first, later ones are duplicates). `repaired`: the file had a quote that never closes, read as
    the importer reads it. Values are lower-cased; an unknown value is an error
    "file:line: field 'x': ..." and is left out. A file without those columns costs one quick scan.
    """
    columns = {f: (columns or {}).get(f) or f for f in SIGNAL_FIELDS}
    id_name = (options.column_map or {}).get("id") or "id"
    found: dict[str, dict[str, str]] = {}
    claimed: set[str] = set()  # ids whose kept row has been read
    errors: list[str] = []

    def keep(line: int, post_id: object, values: dict[str, object]) -> None:
        if line in skip_lines:
            return
        try:
            key = to_id(post_id, id_name)
        except FieldError:
            return  # the importer rejects the post itself
        if key is not None:
            if key in claimed:
                return  # a duplicate: the importer keeps the first row with this id
            claimed.add(key)
        for fld, value in values.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            text = value.strip().lower() if isinstance(value, str) else None
            if text not in SIGNAL_FIELDS[fld]:
                errors.append(f"{path}:{line}: field {columns[fld]!r}: unknown {fld} {preview(value)} "
                              f"(expected {', '.join(SIGNAL_FIELDS[fld])})")
            elif key is not None:
                found.setdefault(key, {})[fld] = text

    from . import source_file

    data = source_file(path)  # a pipe's copy: the pipe itself was read to its end
    try:
        if _looks_like_csv(data):
            _signal_rows_csv(data, id_name, columns, keep, repaired, errors)
        else:
            _signal_rows_jsonl(data, id_name, columns, keep)
    except (OSError, UnicodeDecodeError, ImportFailed):
        pass  # the importer reports a file it cannot read
    return found, errors


def _looks_like_csv(path: Path) -> bool:
    with Path(path).open("rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    return not head.startswith((b"{", b"["))


def _signal_rows_csv(path: Path, id_name: str, columns: dict[str, str], keep, repaired: bool, errors: list[str]) -> None:
    records = csv_records(Path(path), repaired)
    header = [c.lstrip("\ufeff").strip() for c in next(records, (0, []))[1]]
    wanted = {f: header.index(c) for f, c in columns.items() if c in header}
    if not wanted or id_name not in header:
        return
    repeated = repeated_columns(header, set(columns.values()))
    if repeated:  # which column holds the values is unclear: none is read (the posts are, by the importer)
        errors.append(f"{path}:1: {repeated}")
        return
    at = header.index(id_name)
    for start, row in records:  # start: a record with line breaks in a value starts there
        if len(row) > at:
            keep(start, row[at], {f: row[i] if i < len(row) else None for f, i in wanted.items()})


def _signal_rows_jsonl(path: Path, id_name: str, columns: dict[str, str], keep) -> None:
    needles = [json.dumps(c).encode() for c in columns.values()]
    if not _mentions(path, needles):
        return
    for record in iter_json_records(Path(path)):
        obj = record.value
        if record.error is None and isinstance(obj, dict):
            # every row, with or without values: the first row with an id is the post kept
            keep(record.line, get_path(obj, id_name), {f: get_path(obj, c) for f, c in columns.items()})


def _mentions(path: Path, needles: list[bytes]) -> bool:
    """Whether the file's bytes contain any of the needles (chunks overlap, so none is missed at a border)."""
    tail = b""
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            data = tail + chunk
            if any(n in data for n in needles):
                return True
            tail = data[-256:]
    return False
