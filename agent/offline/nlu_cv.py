"""Group k-fold cross-validation of the NLU on the corpus's training split (error analysis).

The number to look at while changing the NLU (features, learner, corpus rows): every training
row is read once by a model trained without its fold, and groups (translation pairs,
near-duplicates) never straddle folds. The held-out split never enters; it is measured once per
candidate change with ``promesa eval --suite nlu``. Run as
``python -m agent.offline.nlu_cv [--folds K] [--json PATH]``; the JSON lists the misreadings and
the confusions, most frequent first.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.offline import nlu_corpus
from agent.offline.entities import extract
from agent.offline.intent_names import Intent
from agent.offline.intents import classify
from agent.offline.nlu_eval import TODAY
from agent.offline.nlu_model import train
from promesa.errors import InvalidInput


def cross_validate(rows: Sequence[nlu_corpus.Row], folds: int = 5) -> dict[str, Any]:
    """Accuracy per language over ``folds`` group folds of the training part of ``rows``."""
    if folds < 2:
        raise InvalidInput(f"folds must be at least 2, not {folds}", field="folds")
    assigned = nlu_corpus.cv_folds(rows, folds)
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusion: Counter[tuple[str, str]] = Counter()
    misses: list[dict[str, Any]] = []
    for fold in range(folds):
        test = [r for r, f in assigned if f == fold]
        if not test:
            continue
        model = train([r for r, f in assigned if f != fold])
        for row in test:
            # as the NLU suite reads a row: an assent or refusal answers a pending offer
            pending = "confirm" if row.intent in (Intent.approve, Intent.reject) else None
            read = classify(row.text, extract(row.text, TODAY), pending,
                            persona=None if row.persona == "any" else row.persona, model=model)
            ok = read.intent == row.intent
            per_lang[row.lang][0] += ok
            per_lang[row.lang][1] += 1
            if not ok:
                confusion[(row.intent.value, read.intent.value)] += 1
                misses.append({"text": row.text, "lang": row.lang, "persona": row.persona,
                               "expected": row.intent.value, "read": read.intent.value,
                               "confidence": round(read.score, 3)})
    hits = sum(h for h, _ in per_lang.values())
    total = sum(t for _, t in per_lang.values())
    return {
        "folds": folds,
        "rows": total,
        "intent_accuracy": round(hits / total, 4) if total else None,
        "intent_accuracy_by_language": {k: round(h / t, 4) for k, (h, t) in sorted(per_lang.items())},
        "confusions": [{"expected": a, "read": b, "n": n} for (a, b), n in confusion.most_common()],
        "misses": misses,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: print the accuracy per language and the top confusions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    report = cross_validate(nlu_corpus.load(), args.folds)
    by_lang = ", ".join(f"{k} {v:.1%}" for k, v in report["intent_accuracy_by_language"].items())
    print(f"group {args.folds}-fold CV on the training split ({report['rows']} rows): {by_lang}")
    for c in report["confusions"][:15]:
        print(f"  {c['n']:3d}  {c['expected']} -> {c['read']}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
