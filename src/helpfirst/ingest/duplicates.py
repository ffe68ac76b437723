"""Lines of duplicate ids: threads.build_threads rejects a repeated id without knowing where it was read.

Run only when something was rejected as a duplicate: one more pass over each file reads every
record's id with its line, in load order, and names the line of each duplicate and of the post
that was kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from . import get_importer, source_file
from .base import ImportFailed, ImportOptions, ImportReport, Rejection
from .common import FieldError, csv_records, get_path, has_quote_damage, iter_json_records, plain_id, to_id


def _plain_id(raw: str) -> str | None:
    """An id as normalise_ids makes it (trimmed, '3.0' and '3.00' -> '3', empty -> None)."""
    return plain_id(raw.strip()) or None


def _csv_ids(path: Path, column: str, repaired: bool) -> Iterator[tuple[str, int]]:
    """(id, first line) of the records of a CSV file as the importer reads them (`repaired`: the
    file had a quote that never closes, whose swallowed lines the importer reads as records)."""
    records = csv_records(path, repaired)
    header = [c.lstrip("\ufeff").strip() for c in next(records, (0, []))[1]]
    if column not in header:
        return
    at = header.index(column)
    for start, row in records:
        if len(row) > at:  # malformed rows are left out by their rejected lines
            value = _plain_id(row[at])
            if value is not None:
                yield value, start


def _json_ids(path: Path, fmt: str, key: str) -> Iterator[tuple[str, int]]:
    """(id, line) of the posts of a JSON Lines file; in page formats only the posts the importer
    keeps (a post it rejects for another reason takes no place)."""
    importer = get_importer(fmt)
    for record in iter_json_records(path):
        if record.error is not None:
            continue
        if fmt == "jsonl":
            try:
                value = to_id(get_path(record.value, key)) if isinstance(record.value, dict) else None
            except FieldError:
                continue
            if value is not None:
                yield value, record.line
            continue
        try:
            found = importer.unpack(record.value)
        except FieldError:
            continue
        if found is None:
            continue
        _where, items, context = found
        for item in items:
            value = _kept_post_id(importer, item, context)
            if value is not None:
                yield value, record.line


def _kept_post_id(importer, item: object, context: object) -> str | None:
    """The id of a page format's post if the importer keeps it, else None."""
    if not isinstance(item, dict):
        return None
    try:
        value = to_id(item.get("id"))
        if value is not None:
            importer.post(value, item, context)  # the importer's own check: FieldError = rejected
    except FieldError:
        return None
    return value


def _id_field(fmt: str, options: ImportOptions) -> str:
    if fmt == "twcs":
        return "tweet_id"
    if fmt in ("csv", "jsonl"):
        return (options.column_map or {}).get("id") or "id"
    return "id"


def _ids(path: Path, fmt: str, options: ImportOptions, repaired: bool) -> Iterator[tuple[str, int]]:
    """(id, line) of every record of a file, in file order."""
    if fmt in ("twcs", "csv"):
        return _csv_ids(path, _id_field(fmt, options), repaired)
    return _json_ids(path, fmt, _id_field(fmt, options))


def locate_duplicate_ids(report: ImportReport, options: ImportOptions) -> None:
    """Give the duplicate-id rejections of `report` (line None) the line of the duplicate, and name
    the line of the post kept in the reason; nothing is read when there are none."""
    todo = [d for d in report.duplicates if report.rejections[d.rejection].line is None]
    if not todo:
        return
    wanted = {d.id for d in todo}
    rejected_lines = {(r.file, r.line) for r in report.rejections if r.line is not None}
    seen: dict[str, list[tuple[int, str, int, str]]] = {}  # id -> [(file entry, file, line, id field)] in load order
    for number, entry in enumerate(report.files):
        path, fmt = Path(entry["path"]), entry.get("format")
        if fmt is None:
            continue
        one_per_line = fmt in ("twcs", "csv", "jsonl")
        try:
            for value, line in _ids(source_file(path), fmt, options, has_quote_damage(report, str(path))):
                if value in wanted and not (one_per_line and (str(path), line) in rejected_lines):
                    seen.setdefault(value, []).append((number, str(path), line, _id_field(fmt, options)))
        except (OSError, UnicodeError, ValueError, ImportFailed):
            continue  # the file's own error is reported by its import; the ids read up to it still count
    used: dict[str, int] = {}
    for duplicate in todo:
        rejection = report.rejections[duplicate.rejection]
        places = seen.get(duplicate.id, [])
        k = used.get(duplicate.id, 0) + 1  # the first place is the post kept
        if k >= len(places) or places[k][1] != rejection.file:
            continue
        used[duplicate.id] = k
        kept_entry, kept_file, kept_line, _f = places[0]
        entry, file, line, field_name = places[k]
        if kept_entry == entry:
            kept = f"line {kept_line}"
        else:
            kept = f"{kept_file}:{kept_line}" + (" (the same file, given twice)" if kept_file == file else "")
        report.rejections[duplicate.rejection] = Rejection(file, line, field_name, f"{rejection.reason} from {kept}")
