"""Language: a vectorised English pre-filter in front of lingua.

Posts whose alphabetic tokens are mostly ASCII and include enough common English function words
are labelled "en" without lingua (pyarrow.compute, no per-text Python); the rest go to lingua
(detect_languages_in_parallel_of). Reports the share routed to lingua, agreement with lingua
(all languages, full mode) on the real labelled posts, and throughput on the synthetic texts.
Usage: python langfast.py [--n 100000]
"""
from __future__ import annotations

import json
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from common import load_complaints, load_intent, load_reply_kind, log_result, norm

EN = ("the a an and or but if of to in on at for with from by about as into is are was were be been "
      "being am do does did have has had i me my we our you your he she it its they them their this that "
      "these those what which who when where why how not no can could will would should just so very "
      "please thanks thank hi hey there here get got can't don't i'm it's im dont cant").split()


class EnglishFirst:
    def __init__(self, detector, min_share=0.25, min_tokens=3):
        self.det, self.min_share, self.min_tokens = detector, min_share, min_tokens
        self.en = pa.array(EN)

    def is_english(self, arr: pa.Array) -> np.ndarray:
        a = pc.utf8_lower(arr)
        a = pc.replace_substring_regex(a, r"https?://\S+|@\S+|#\S+", " ")
        toks = pc.utf8_split_whitespace(pc.replace_substring_regex(a, r"[^\p{L}' ]+", " "))
        n = np.asarray(pc.list_value_length(toks).fill_null(0))
        flat = toks.flatten()
        doc = np.repeat(np.arange(len(arr)), n)
        hit = np.asarray(pc.is_in(flat, value_set=self.en))
        nonascii = np.asarray(pc.invert(pc.string_is_ascii(flat)))
        hits = np.bincount(doc, weights=hit, minlength=len(arr))
        nona = np.bincount(doc, weights=nonascii, minlength=len(arr))
        return (n >= self.min_tokens) & (hits >= self.min_share * np.maximum(n, 1)) & (nona <= 0.1 * n)

    def detect(self, texts) -> list[str]:
        arr = pa.array(texts, pa.string())
        en = self.is_english(arr)
        out = np.array(["Language.ENGLISH"] * len(texts), dtype=object)
        rest = np.nonzero(~en)[0]
        if len(rest):
            got = self.det.detect_languages_in_parallel_of([texts[i] for i in rest])
            out[rest] = [str(g) for g in got]
        return out.tolist()


def main():
    from lingua import IsoCode639_1, LanguageDetectorBuilder
    n = int(sys.argv[sys.argv.index("--n") + 1]) if "--n" in sys.argv else 100_000
    real = [norm(t).replace("URL", "").replace("@USER", "").strip() for t in
            load_complaints().text.tolist() + load_intent().text.tolist() + load_reply_kind().text.tolist()]
    full = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()
    ref = [str(x) for x in full.detect_languages_in_parallel_of(real)]
    del full
    restricted = [getattr(IsoCode639_1, c) for c in ("EN", "ES", "FR", "DE", "PT", "IT", "NL", "JA", "AR", "TR", "ID", "HI")]
    dets = {
        "all langs, low accuracy": LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode(),
        "12 langs, full": LanguageDetectorBuilder.from_iso_codes_639_1(*restricted),
        "12 langs, low accuracy": LanguageDetectorBuilder.from_iso_codes_639_1(*restricted).with_low_accuracy_mode(),
    }
    src = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv else "/tmp/s.jsonl"
    synth = [json.loads(line)["text"] for line in open(src, encoding="utf-8")]
    while len(synth) < n:
        synth += synth
    synth = synth[:n]
    for label, b in dets.items():
        ef = EnglishFirst(b.with_preloaded_language_models().build())
        got = ef.detect(real)
        share = 1 - float(np.mean(ef.is_english(pa.array(real))))
        ef.detect(synth[:1000])
        best = 1e9
        for _ in range(3):
            t0 = time.perf_counter()
            ef.detect(synth)
            best = min(best, time.perf_counter() - t0)
        log_result({"task": "language", "what": f"English pre-filter + lingua {label}", "src": src.rsplit("/", 1)[-1],
                    "agreement_with_full_all_langs_real": round(float(np.mean(np.array(got) == np.array(ref))), 4),
                    "share_sent_to_lingua_real": round(share, 3),
                    "share_sent_to_lingua_synth": round(1 - float(np.mean(ef.is_english(pa.array(synth)))), 3)})
        log_result({"task": "throughput", "what": f"English pre-filter + lingua {label}", "jobs": 1,
                    "src": src.rsplit("/", 1)[-1],
                    "n": len(synth), "seconds": round(best, 2), "posts_per_s": int(len(synth) / best)})
    # how good is the pre-filter alone at saying 'English'
    ef = EnglishFirst(None)
    en = ef.is_english(pa.array(real))
    refa = np.array(ref)
    log_result({"task": "language", "what": "English pre-filter precision on real posts (vs lingua full)",
                "precision": round(float(np.mean(refa[en] == "Language.ENGLISH")), 4),
                "recall_of_english": round(float(np.mean(en[refa == "Language.ENGLISH"])), 4)})


if __name__ == "__main__":
    main()
