"""Fail unless the held-out intent macro F1 reaches the bar; print the figures.

Usage: python scripts/nlu_gate.py results/nlu/intent_report.json 0.90
"""
import json
import sys


def main(report_path: str, bar: float) -> int:
    with open(report_path, encoding="utf-8") as handle:
        report = json.load(handle)
    per_intent = {
        name: scores for name, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and name not in
        ("macro avg", "weighted avg", "micro avg")
    }
    weakest = sorted(per_intent.items(), key=lambda kv: kv[1]["f1-score"])[:5]
    macro = report["macro avg"]["f1-score"]
    print(f"Held-out intents: {len(per_intent)}, examples: {int(report['macro avg']['support'])}")
    print(f"Held-out accuracy: {report.get('accuracy', float('nan')):.3f}")
    print(f"Held-out macro F1: {macro:.3f} (bar {bar:.2f})")
    print("Weakest intents: " + ", ".join(f"{n} {s['f1-score']:.2f}" for n, s in weakest))
    return 0 if macro >= bar else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
