"""The speed figures in README.md and docs/deployment.md are the ones in bench/results, with their file named."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


def _expected() -> list[tuple[str, str]]:
    """(figure as written, results file) of each current speed figure."""
    audit = _load("audit-2800000.json")
    signals_audit = _load("signals-audit-2800000.json")
    classify = _load("signals-500000.json")
    suggest = _load("suggest-1000000.json")
    semantic = _load("suggest-1000000-semantic.json")
    return [
        (f"{audit['best']['helpfirst']['seconds']:.2f} s", "audit-2800000.json"),
        (f"{signals_audit['helpfirst']['seconds']:.1f} s", "signals-audit-2800000.json"),
        (f"{classify['helpfirst_posts_per_s']:,.0f} posts/s", "signals-500000.json"),
        (f"{suggest['lexical']['p95_ms']} ms", "suggest-1000000.json"),
        (f"{semantic['semantic']['p95_ms']:.1f} ms", "suggest-1000000"),
    ]


def test_readme_speed_figures_come_from_the_results_files():
    text = (ROOT / "README.md").read_text()
    speed = text[text.index("## Speed"):text.index("## Layout")]
    for figure, source in _expected():
        assert figure in speed, figure
        assert source in speed, source
    ratio = _load("signals-audit-2800000.json")["ratio_notebook_over_helpfirst"]
    assert f"{ratio:.1f}x" in speed
    assert f"**{_load('audit-2800000.json')['ratio_pandas_over_helpfirst']['seconds']:.1f}x**" in speed


def test_deployment_sizing_table_figures_come_from_the_results_files():
    text = (ROOT / "docs" / "deployment.md").read_text()
    table = text[text.index("**Sizing**"):text.index("## Suggestions in production")]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    for figure, source in _expected():
        row = next((r for r in rows if figure in r), None)
        assert row is not None, figure
        assert source in row, (figure, source)
    suggest = _load("suggest-1000000.json")
    assert f"{suggest['full_build_s']:.1f} s to build" in table
    assert f"{suggest['index_mb']:.0f} MB on disk" in table
    for stale in ("64.4 s", "34,446", "28.9 s", "736 MB", "13.6 ms", "57.2 ms"):
        assert stale not in text, stale


def test_bench_readme_cites_the_file_that_holds_each_run():
    text = (ROOT / "bench" / "README.md").read_text()
    audit = _load("audit-2800000.json")
    current = text[text.index("**Current figures**: `bench/results/audit-2800000.json`"):][:600]
    assert f"{audit['ratio_pandas_over_helpfirst']['seconds']:.2f}x" in current
    assert audit["versions"]["git_commit"] in current
    # the 8.35x run is no longer in audit-2800000.json: the README points to the version that holds it
    at = text.index("**8.35x**")
    assert "git show 721a1c2:bench/results/audit-2800000.json" in text[at:at + 300]
