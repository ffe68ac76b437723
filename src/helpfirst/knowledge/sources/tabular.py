"""Resources as JSON Lines (or a JSON array) and CSV, with the canonical field names."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from ..models import LoadReport, Resource
from . import Invalid, LoadOptions, Source, SourceFailed, delimiter_hint, json_problem, make_resource, register

FIELDS = ("id", "brand", "kind", "url", "title", "body", "tags")
_BOM = b"\xef\xbb\xbf"
# bytes that are not UTF-8, as the surrogateescape decoding keeps them (one code point per byte)
_BAD_BYTES = re.compile("[\udc80-\udcff]")


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with path.open("rb") as fh:
            for number, raw in enumerate(fh, 1):
                yield number, raw
    except OSError as exc:
        raise SourceFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None


@register
class JsonlSource(Source):
    """Loads resources from JSON Lines (or a JSON array), one resource per object."""

    name = "jsonl"
    description = "Resources as JSON Lines: {id, brand, kind, url, title, body, tags} per line (a JSON array works too)"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf").lstrip()
        return text[:1] in (b"{", b"[") and (b'"url"' in head or b'"title"' in head or b'"body"' in head)

    def load(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        try:
            with path.open("rb") as fh:
                head = fh.read(1024).lstrip(_BOM).lstrip()
        except OSError as exc:
            raise SourceFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None
        if head.startswith(b"["):
            yield from self._array(path, options, report)
            return
        for number, raw in _lines(path):
            if number == 1:
                raw = raw.removeprefix(_BOM)
            if not raw.strip():
                continue
            report.read += 1
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                report.reject(str(path), number, None, "bytes are not valid UTF-8")
                continue
            except (ValueError, RecursionError) as exc:
                report.reject(str(path), number, None, f"not valid JSON ({json_problem(exc)})")
                continue
            resource = _checked(record, options, report, path, number)
            if resource is not None:
                yield resource

    def _array(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        try:
            records = json.loads(path.read_bytes().decode("utf-8-sig"))
        except RecursionError:
            raise SourceFailed(f"{path}: not a valid JSON array (nested too deeply)") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceFailed(f"{path}: not a valid JSON array ({str(exc).splitlines()[0][:80]})") from None
        for i, record in enumerate(records):
            report.read += 1
            resource = _checked(record, options, report, path, None, f"[{i}]")
            if resource is not None:
                yield resource


def _checked(record: object, options: LoadOptions, report: LoadReport, path: Path, line: int | None, where: str = "") -> Resource | None:
    if not isinstance(record, dict):
        report.reject(str(path) + where, line, None, "not a JSON object")
        return None
    try:
        return make_resource(record, options)
    except Invalid as exc:
        report.reject(str(path) + where, line, exc.field, exc.reason)
        return None


@register
class CsvSource(Source):
    """Loads resources from a CSV file with a header row, one resource per row."""

    name = "csv"
    description = "Resources as CSV with a header: id, brand, kind, url, title, body, tags (tags comma-separated)"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
        cols = {c.strip().strip('"').lower() for c in first.split(",")}
        return "url" in cols and bool(cols & {"title", "body", "brand", "id"})

    def load(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None
        # bytes that are not UTF-8 reject the row holding them (naming its column), not the file
        text = data.removeprefix(_BOM).decode("utf-8", "surrogateescape")
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise SourceFailed(f"{path}: the file is empty") from None
        if any(_BAD_BYTES.search(h) for h in header):
            raise SourceFailed(f"{path}:1: the header line's bytes are not valid UTF-8 (save the file as UTF-8)")
        if "url" not in header and "title" not in header and "body" not in header:
            raise SourceFailed(f"{path}:1: no url, title or body column; found: {', '.join(header)[:120]}"
                               + delimiter_hint(data.lstrip(b"\xef\xbb\xbf")[:4096]))
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            report.read += 1
            if len(row) != len(header):
                report.reject(str(path), start, None, f"expected {len(header)} fields, found {len(row)}")
                continue
            bad = next((h for h, v in zip(header, row) if _BAD_BYTES.search(v)), None)
            if bad is not None:
                report.reject(str(path), start, bad, "bytes are not valid UTF-8")
                continue
            record = {h: v for h, v in zip(header, row) if h in FIELDS}
            try:
                yield make_resource(record, options)
            except Invalid as exc:
                report.reject(str(path), start, exc.field, exc.reason)
