"""Write /tmp/real.jsonl: {"text": ...} for every twcs-head5k row with text (real-text throughput runs)."""
import csv
import json

from common import REPO

src = REPO.parent / "shared" / "data" / "twcs-head5k" / "twcs-head5k.csv"
with open(src, encoding="utf-8", newline="") as f, open("/tmp/real.jsonl", "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        if row.get("text"):
            out.write(json.dumps({"text": row["text"]}) + "\n")
