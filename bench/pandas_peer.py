"""The core helpfulness scorecard of a TWCS file, the way an analyst would compute it with pandas.

This is the reference peer of `helpfirst audit`: an independent implementation of the core
scorecard in docs/metrics.md (conversations, answered, FRT median and p90, within target), per
brand and in total, written as plain pandas. It imports nothing from helpfirst.

    python bench/pandas_peer.py twcs.csv [--out scorecard.json] [--target 30]

Input: the Kaggle "Customer Support on Twitter" CSV (tweet_id, author_id, inbound, created_at,
text, response_tweet_id, in_response_to_tweet_id).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

COLUMNS = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]
TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # Tue Oct 31 22:10:47 +0000 2017
INBOUND = {"True": True, "true": True, "TRUE": True, "1": True, "False": False, "false": False, "FALSE": False, "0": False}
UNKNOWN = "(unknown)"


def read_twcs(path: str | Path) -> pd.DataFrame:
    """The CSV as strings, one row per well-formed record.

    Read with Arrow's CSV reader rather than pandas' C engine: texts contain quoted newlines, and
    some real rows are broken by an unquoted newline; the C engine silently pads such short rows
    (the broken half would become a fake request), Arrow lets us skip them.
    """
    table = pacsv.read_csv(
        str(path),
        read_options=pacsv.ReadOptions(block_size=16 << 20),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(
            include_columns=COLUMNS,
            column_types={c: pa.string() for c in COLUMNS},
            strings_can_be_null=False,
        ),
    )
    return table.to_pandas()


def clean_ids(s: pd.Series) -> pd.Series:
    """'3.0' -> '3' (parent ids are written as floats), blanks -> NA."""
    s = s.str.strip().str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return s.mask(s.isna() | (s == ""))


def load_posts(path: str | Path) -> pd.DataFrame:
    """Valid rows, first occurrence of every tweet_id, in file order."""
    df = read_twcs(path)
    df["tweet_id"] = clean_ids(df["tweet_id"])
    df["parent_id"] = clean_ids(df["in_response_to_tweet_id"])
    df["author_id"] = df["author_id"].str.strip()
    df["inbound"] = df["inbound"].str.strip().map(INBOUND)
    df["created_at"] = pd.to_datetime(df["created_at"], format=TIME_FORMAT, errors="coerce", utc=True)
    valid = df["tweet_id"].notna() & (df["author_id"].fillna("") != "") & df["inbound"].notna() & df["created_at"].notna()
    df = df[valid].drop_duplicates("tweet_id", keep="first").reset_index(drop=True)
    df["inbound"] = df["inbound"].astype(bool)
    return df[["tweet_id", "author_id", "inbound", "created_at", "text", "parent_id"]]


def thread_roots(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row number of every post's thread root, and a mask of posts caught in (or under) a reply loop.

    A post's parent is the loaded post its parent_id names; a post without a loaded parent is a
    root (a missing parent makes an orphan thread). Roots by repeatedly mapping each post to its
    parent's root; loop threads never reach a post without a parent.
    """
    n = len(df)
    row_of_id = pd.Series(np.arange(n), index=df["tweet_id"].to_numpy())
    parent = df["parent_id"].map(row_of_id)  # NaN: no parent id, or the parent is not in the file
    has_parent = parent.notna().to_numpy()
    root = np.where(has_parent, parent.fillna(-1).to_numpy(dtype=np.int64), np.arange(n))
    for _ in range(64):
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    in_loop = has_parent[root]
    return root, in_loop


def conversations(df: pd.DataFrame) -> pd.DataFrame:
    """One row per conversation: brand, request time, first response time, FRT in minutes."""
    root, in_loop = thread_roots(df)
    df = df.assign(root=root, row=np.arange(len(df)))
    df = df[~in_loop]

    # a conversation: a customer post that replies to nothing (it is always the root of its thread)
    req = df[df["inbound"] & df["parent_id"].isna()].set_index("row")
    is_conv = np.zeros(len(root), dtype=bool)
    is_conv[req.index.to_numpy()] = True

    # known brands: every author of a brand (non-inbound) post; matched case-insensitively
    brands = sorted(df.loc[~df["inbound"], "author_id"].unique(), key=lambda b: (b.lower(), b))
    by_lower: dict[str, str] = {}
    for b in brands:
        by_lower.setdefault(b.lower(), b)

    # 1. the first known brand @mentioned in the request text
    mentions = req["text"].str.extractall(r"(?:^|[^\w@])@(\w+)")[0].str.lower().map(by_lower).dropna()
    mentioned = mentions.groupby(level=0).first()

    # 2. else the author of the earliest brand reply in the thread (ties by file order)
    replies = df[~df["inbound"] & is_conv[df["root"].to_numpy()]]
    earliest = replies.sort_values(["created_at", "row"]).drop_duplicates("root", keep="first").set_index("root")["author_id"]

    conv = pd.DataFrame({"requested_at": req["created_at"]})
    conv["brand"] = mentioned.reindex(conv.index).fillna(earliest.reindex(conv.index)).fillna(UNKNOWN)

    # first response: the earliest reply by the conversation's brand, at any depth
    own = replies[replies["author_id"].to_numpy() == conv["brand"].reindex(replies["root"]).to_numpy()]
    conv["first_response_at"] = own.groupby("root")["created_at"].min().reindex(conv.index)
    frt = (conv["first_response_at"] - conv["requested_at"]).dt.total_seconds() / 60.0
    conv["frt_min"] = frt.clip(lower=0.0)
    conv.attrs["brands"] = brands
    return conv


def figures(conv: pd.DataFrame, target: float) -> dict:
    """The core scorecard of a set of conversations."""
    n = len(conv)
    frt = conv["frt_min"].dropna()
    return {
        "conversations": int(n),
        "answered": int(len(frt)),
        "frt_median_min": float(frt.quantile(0.5)) if len(frt) else None,
        "frt_p90_min": float(frt.quantile(0.9)) if len(frt) else None,
        "within_target": float((conv["frt_min"] <= target).sum() / n) if n else 0.0,
    }


def scorecard(path: str | Path, target: float = 30.0) -> dict:
    """{"brands": {brand: figures}, "totals": figures} for one TWCS file."""
    conv = conversations(load_posts(path))
    out = {b: figures(conv.iloc[:0], target) for b in conv.attrs["brands"]}  # brands with no conversation
    for brand, group in conv.groupby("brand"):
        out[brand] = figures(group, target)
    out = dict(sorted(out.items(), key=lambda kv: (-kv[1]["conversations"], kv[0].lower())))
    return {"brands": out, "totals": figures(conv, target)}


FIELDS = ("conversations", "answered", "frt_median_min", "frt_p90_min", "within_target")


def compare(peer: dict, tool: dict, tol: float = 1e-6) -> list[str]:
    """Differences between two scorecards ({"brands": ..., "totals": ...}); empty when they agree.

    Counts must be equal; FRT median, p90 and within_target within `tol`; null only against null.
    """
    problems: list[str] = []
    peer_brands, tool_brands = set(peer["brands"]), set(tool["brands"])
    for brand in sorted(peer_brands - tool_brands):
        problems.append(f"brand {brand!r}: only in the pandas peer")
    for brand in sorted(tool_brands - peer_brands):
        problems.append(f"brand {brand!r}: only in helpfirst")
    pairs = [("totals", peer["totals"], tool["totals"])]
    pairs += [(f"brand {b!r}", peer["brands"][b], tool["brands"][b]) for b in sorted(peer_brands & tool_brands)]
    for where, a, b in pairs:
        for name in FIELDS:
            x, y = a.get(name), b.get(name)
            if name in ("conversations", "answered"):
                same = x == y
            elif x is None or y is None:
                same = x is None and y is None
            else:
                same = abs(float(x) - float(y)) <= tol
            if not same:
                problems.append(f"{where} {name}: pandas {x!r} != helpfirst {y!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="TWCS CSV file")
    parser.add_argument("--out", type=Path, help="write the JSON here instead of stdout")
    parser.add_argument("--target", type=float, default=30.0, help="first-response target in minutes (default 30)")
    args = parser.parse_args(argv)
    doc = json.dumps(scorecard(args.file, args.target))
    if args.out:
        args.out.write_text(doc + "\n")
    else:
        sys.stdout.write(doc + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
