"""Calibration of the answer-or-refuse thresholds on the dev split.

The decision's evidence is measured once per case; ``judge`` is then re-applied with each
candidate threshold, so a sweep costs no answering. For each swept threshold the curve
gives refusal precision and recall (and false refusals) against its value; the suggested
point has the highest refusal recall with false refusals within 3% of the answerable cases.
`python -m evals.calibrate` prints the curves and writes evals/reports/calibration.md.
The holdout split is never used here."""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace

import numpy as np

from assistant.decision import Evidence, Thresholds, judge

SWEEPS = {
    "name_shift": np.round(np.arange(0.0, 0.21, 0.02), 3),
    "salient_shift": np.round(np.arange(0.04, 0.41, 0.02), 3),
    "generic_shift": np.round(np.arange(0.1, 0.71, 0.05), 3),
    "domain_similarity": np.round(np.arange(0.0, 0.41, 0.05), 3),
    "answer_score": np.round(np.arange(0.25, 0.71, 0.025), 3),
    "synonym_similarity": np.round(np.arange(0.55, 0.96, 0.025), 3),
    "typed_score": np.round(np.arange(0.25, 0.71, 0.025), 3),
    "typed_ratio": np.round(np.arange(0.0, 1.01, 0.05), 3),
    "word_in_passage": np.round(np.arange(0.40, 0.86, 0.025), 3),
    "closer_without": np.round(np.arange(0.03, 0.161, 0.005), 3),
    "closing_closer_without": np.round(np.arange(0.02, 0.161, 0.005), 3),
}


def point(pairs: list[tuple[Evidence, bool]], thresholds: Thresholds) -> dict:
    """Refusal precision/recall and false refusals of the decisions under ``thresholds``."""
    tp = fp = fn = tn = 0
    for evidence, expect_refusal in pairs:
        refused = judge(evidence, thresholds).refused
        tp += refused and expect_refusal
        fp += refused and not expect_refusal
        fn += (not refused) and expect_refusal
        tn += (not refused) and not expect_refusal
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    answer_recall = tn / (tn + fp) if tn + fp else 1.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "false_refusals": fp,
            "missed_refusals": fn, "balanced": round((recall + answer_recall) / 2, 4)}


def curves(pairs: list[tuple[Evidence, bool]], thresholds: Thresholds) -> dict[str, list[dict]]:
    out = {}
    for name, values in SWEEPS.items():
        out[name] = [{"value": float(v), **point(pairs, replace(thresholds, **{name: float(v)}))} for v in values]
    return out


GRID = ("name_shift", "salient_shift", "generic_shift", "domain_similarity")


def grid_search(pairs: list[tuple[Evidence, bool]], thresholds: Thresholds, max_false_refusal_rate: float = 0.03) -> list[dict]:
    """Every combination of the word thresholds, best first: highest refusal recall among the points
    whose false refusals stay within ``max_false_refusal_rate`` of the answerable cases, then balance."""
    answerable = sum(1 for _, refuse in pairs if not refuse) or 1
    rows = []
    for values in itertools.product(*(SWEEPS[name] for name in GRID)):
        chosen = dict(zip(GRID, map(float, values)))
        result = point(pairs, replace(thresholds, **chosen))
        rows.append({**chosen, **result, "within": result["false_refusals"] / answerable <= max_false_refusal_rate})
    # Ties go to the most conservative values (larger shifts: fewer words count as asks).
    rows.sort(key=lambda r: (not r["within"], -r["recall"], -r["balanced"], r["false_refusals"],
                             *(-r[name] for name in GRID)))
    return rows


def best_values(curve: dict[str, list[dict]], answerable: int, thresholds: Thresholds,
                max_false_refusal_rate: float = 0.03) -> dict[str, float]:
    """For each threshold alone: the value with the highest refusal recall whose false refusals stay
    within ``max_false_refusal_rate`` of the answerable cases (the issue's ceiling), then balance;
    on a plateau, the value nearest the current one (the dev split gives no reason to move further)."""
    def rank(name):
        return lambda r: (r["false_refusals"] <= max_false_refusal_rate * answerable, r["recall"], r["balanced"],
                          -r["false_refusals"], -abs(r["value"] - getattr(thresholds, name)))
    return {name: max(rows, key=rank(name))["value"] for name, rows in curve.items()}


def markdown(curve: dict[str, list[dict]], thresholds: Thresholds) -> str:
    lines = ["## Calibration (dev split)", "",
             "Each table sweeps one threshold of `[decision]` in `assistant/settings.toml`, the others as set. "
             "Precision and recall are of refusals; the chosen value is marked ◀.", ""]
    for name, rows in curve.items():
        chosen = getattr(thresholds, name)
        lines += [f"### {name} (set: {chosen})", "", "| value | precision | recall | false refusals | missed refusals | balanced |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            mark = " ◀" if abs(r["value"] - chosen) < 1e-9 else ""
            lines.append(f"| {r['value']}{mark} | {r['precision']} | {r['recall']} | {r['false_refusals']} | "
                         f"{r['missed_refusals']} | {r['balanced']} |")
        lines.append("")
    return "\n".join(lines)


def chart(curve: dict[str, list[dict]], thresholds: Thresholds, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curve), figsize=(4 * len(curve), 3.4), dpi=100)
    for ax, (name, rows) in zip(np.atleast_1d(axes), curve.items()):
        x = [r["value"] for r in rows]
        ax.plot(x, [r["precision"] for r in rows], label="refusal precision")
        ax.plot(x, [r["recall"] for r in rows], label="refusal recall")
        ax.axvline(getattr(thresholds, name), color="#999999", linestyle="--")
        ax.set_title(name, fontsize=10)
        ax.set_ylim(0, 1.05)
    np.atleast_1d(axes)[0].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> int:
    from .__main__ import build_assistant, evidence_pairs
    from .report import REPORTS_DIR
    from .runner import DEFAULT_CASES, load_cases

    assistant = build_assistant()
    pairs = evidence_pairs(assistant, load_cases(DEFAULT_CASES))
    curve = curves(pairs, assistant.thresholds)
    print(markdown(curve, assistant.thresholds))
    answerable = sum(1 for _, refuse in pairs if not refuse)
    print("Best value of each threshold alone (others as set, false refusals within 3%):", best_values(curve, answerable, assistant.thresholds))
    print("Best combinations of the word thresholds:")
    for row in grid_search(pairs, assistant.thresholds)[:8]:
        print("  ", row)
    REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    best = grid_search(pairs, assistant.thresholds)[0]
    text = markdown(curve, assistant.thresholds) + (
        "\n### Joint search of the word thresholds\n\nHighest refusal recall with false refusals within 3% of the "
        f"answerable dev cases, then balanced accuracy: `{ {k: best[k] for k in GRID} }` (precision {best['precision']}, "
        f"recall {best['recall']}, {best['false_refusals']} false refusals). Ties go to the most conservative value.\n")
    (REPORTS_DIR / "calibration.md").write_text(text)
    chart(curve, assistant.thresholds, REPORTS_DIR / "calibration.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
