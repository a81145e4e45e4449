"""Compare NLU pipelines side by side, in one run: held-out set and cross-validation.

Not a test: it prints figures. For each NAME=CONFIG it
  * trains the NLU model alone (training time: see scripts/bench_encoder.py, which
    forces a fresh training; here Rasa's cache may reuse earlier work);
  * tests it on each held-out file (--holdout, default tests/nlu/holdout.yml);
  * runs a stratified k-fold cross-validation on data/nlu (`rasa test nlu
    --cross-validation`) with the same folds for every configuration (Rasa draws
    them from numpy's global random state, which is seeded here first).
Accuracy, macro F1 and the weakest intents go to one table, printed and written
to OUT/table.md.

Usage:
  python scripts/compare_nlu.py --out results/compare previous=cfg/a.yml new=config.yml
  (--folds 5, --no-cv, --holdout FILE ...)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
ENV = {
    **os.environ,
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}
FOLD_SEED = 2014
# Rasa's command line, after seeding numpy so that every configuration gets the same folds.
SEEDED_RASA = (
    "import sys, numpy; numpy.random.seed(int(sys.argv.pop(1))); "
    "from rasa.__main__ import main; sys.argv[0] = 'rasa'; main()"
)


def rasa(args: List[str], log: Path) -> float:
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as handle:
        subprocess.run(
            [sys.executable, "-c", SEEDED_RASA, str(FOLD_SEED), *args],
            cwd=ROOT,
            env=ENV,
            check=True,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    return time.monotonic() - start


def scores(report_path: Path) -> Dict[str, object]:
    report = json.loads(report_path.read_text())
    intents = {
        k: v
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and k not in ("macro avg", "weighted avg", "micro avg")
    }
    weakest = sorted(intents.items(), key=lambda kv: kv[1]["f1-score"])[:3]
    return {
        "accuracy": report["accuracy"],
        "macro_f1": report["macro avg"]["f1-score"],
        "weakest": ", ".join(f"{n} {s['f1-score']:.2f}" for n, s in weakest),
    }


def compare(name: str, config: Path, out: Path, holdouts: List[Path], folds: int) -> Dict[str, object]:
    work = out / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    row: Dict[str, object] = {"name": name, "config": str(config)}
    print(f"[{name}] training NLU...", flush=True)
    rasa(
        ["train", "nlu", "--config", str(config), "--nlu", "data/nlu", "--out", str(work), "--fixed-model-name", "nlu"],
        work / "train.log",
    )
    for holdout in holdouts:
        print(f"[{name}] held-out {holdout.name}...", flush=True)
        target = work / f"holdout-{holdout.stem}"
        rasa(
            [
                "test",
                "nlu",
                "--model",
                str(work / "nlu.tar.gz"),
                "--nlu",
                str(holdout),
                "--out",
                str(target),
                "--no-plot",
            ],
            target.with_suffix(".log"),
        )
        row[holdout.stem] = scores(target / "intent_report.json")
    if folds:
        print(f"[{name}] {folds}-fold cross-validation...", flush=True)
        row["cv_s"] = rasa(
            [
                "test",
                "nlu",
                "--nlu",
                "data/nlu",
                "--config",
                str(config),
                "--cross-validation",
                "--folds",
                str(folds),
                "--out",
                str(work / "cv"),
                "--no-plot",
            ],
            work / "cv.log",
        )
        row["cv"] = scores(work / "cv" / "intent_report.json")
    (work / "row.json").write_text(json.dumps(row, indent=1))
    return row


def table(rows: List[Dict[str, Any]], holdouts: List[Path], folds: int) -> str:
    head = "| pipeline |"
    rule = "|---|"
    for h in holdouts:
        head += f" {h.name}: accuracy | macro F1 | weakest intents |"
        rule += "---|---|---|"
    if folds:
        head += f" {folds}-fold CV: accuracy | macro F1 | weakest intents |"
        rule += "---|---|---|"
    lines = [head, rule]
    for r in rows:
        line = f"| {r['name']} |"
        for key in [h.stem for h in holdouts] + (["cv"] if folds else []):
            s = r[key]
            line += f" {s['accuracy']:.3f} | {s['macro_f1']:.3f} | {s['weakest']} |"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("configs", nargs="+", help="NAME=CONFIG")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "compare")
    parser.add_argument("--holdout", type=Path, action="append")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument(
        "--no-holdout",
        action="store_true",
        help="cross-validation only (for tuning: settings are never chosen on a held-out set)",
    )
    args = parser.parse_args()
    holdouts = [] if args.no_holdout else args.holdout or [ROOT / "tests" / "nlu" / "holdout.yml"]
    folds = 0 if args.no_cv else args.folds
    rows = []
    for item in args.configs:
        name, _, config = item.partition("=")
        rows.append(compare(name, Path(config).resolve(), args.out.resolve(), holdouts, folds))
    text = table(rows, holdouts, folds)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "table.md").write_text(text + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()
