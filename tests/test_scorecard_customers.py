"""Distinct customers of the vanity table: the integer-code count gives what SQL's GROUP BY / DISTINCT give."""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

from helpfirst.measure.scorecard import _customer_counts


def sql_counts(authors, roles, brands, n_brands):
    """The definition, as SQL: per brand, groups of authors with a customer post; in total, DISTINCT authors."""
    posts = pa.table({"author": pa.array(authors, pa.string()), "author_role": pa.array(roles, pa.string()),
                      "thread_brand_id": pa.array(brands, pa.int32())})
    con = duckdb.connect()
    con.register("posts", posts)
    audience = """(SELECT thread_brand_id AS brand_id, author, count(*) FILTER (WHERE author_role = 'customer') AS c
                   FROM posts WHERE author_role <> 'brand' AND thread_brand_id IS NOT NULL GROUP BY ALL)"""
    per = dict(con.sql(f"SELECT brand_id, count(*) FILTER (WHERE c > 0) FROM {audience} GROUP BY brand_id").fetchall())
    total = con.sql(f"SELECT count(DISTINCT author) FILTER (WHERE c > 0) FROM {audience}").fetchall()[0][0]
    return [per.get(b, 0) for b in range(n_brands)], total


@pytest.mark.parametrize("kind", ["numbers", "handles", "mixed", "big numbers", "leading zeros"])
def test_customer_counts_match_sql(kind):
    rng = random.Random(kind)
    n_brands = 5
    pool = {
        "numbers": [str(rng.randrange(1, 50)) for _ in range(40)],
        "handles": [rng.choice(["ann", "Ann", "bob", "célia", "dan_1"]) for _ in range(40)],
        "mixed": [rng.choice(["7", "07", "ann", "8"]) for _ in range(40)],
        "big numbers": [str(rng.choice([1, 2, 2**62, 2**62 + 1])) for _ in range(40)],
        "leading zeros": [rng.choice(["0", "00", "1", "01"]) for _ in range(40)],
    }[kind]
    rows = 400
    authors = [rng.choice(pool + [None]) for _ in range(rows)]
    roles = [rng.choice(["customer", "customer", "bot", "brand"]) for _ in range(rows)]
    brands = [rng.choice([None, 0, 1, 2, 4]) for _ in range(rows)]
    view = pa.table({"author": pa.chunked_array([authors[:150], authors[150:]], pa.string()),
                     "author_role": pa.array(roles).dictionary_encode()})
    per_brand, total = _customer_counts(view, pa.array(brands, pa.int32()), n_brands)
    assert (list(per_brand), total) == sql_counts(authors, roles, brands, n_brands)


def test_no_customer_posts():
    view = pa.table({"author": pa.array(["a"], pa.string()), "author_role": pa.array(["brand"])})
    per_brand, total = _customer_counts(view, pa.array([0], pa.int32()), 3)
    assert (list(per_brand), total) == ([0, 0, 0], 0)
