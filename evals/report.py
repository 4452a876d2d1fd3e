"""The eval report: a rich table, latest.json, latest.md, a chart, and a history to compare runs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPORTS_DIR = Path(__file__).resolve().parent / "reports"
HEADLINE = ["pass_rate", "hit_at_5", "mrr", "grounded_share", "citation_validity", "refusal_precision",
            "refusal_recall", "false_refusals", "mean_answer_words", "latency_p50_ms", "latency_p95_ms"]


def compare(previous: dict | None, passed_ids: set[str]) -> str:
    if not previous:
        return "first recorded run"
    before = set(previous.get("passed_ids", []))
    gained, lost = sorted(passed_ids - before), sorted(before - passed_ids)
    if not gained and not lost:
        return "same cases pass as in the previous run"
    text = f"+{len(gained)} passed, −{len(lost)}"
    if lost:
        text += ": " + ", ".join(lost)
    if gained:
        text += f" (newly passing: {', '.join(gained)})"
    return text


def print_table(summary: dict, baseline: dict | None, results: list[dict], problems: list[str], change: str) -> None:
    console = Console()
    table = Table(title="Eval summary")
    table.add_column("metric")
    table.add_column("assistant", justify="right")
    if baseline:
        table.add_column("naive baseline", justify="right")
    for name in HEADLINE:
        row = [name, str(summary[name])]
        if baseline:
            row.append(str(baseline[name]))
        table.add_row(*row)
    console.print(table)
    cats = Table(title="Pass rate by category")
    cats.add_column("category")
    cats.add_column("passed", justify="right")
    if baseline:
        cats.add_column("baseline", justify="right")
    for name, c in summary["categories"].items():
        row = [name, f"{c['passed']}/{c['cases']}"]
        if baseline:
            b = baseline["categories"][name]
            row.append(f"{b['passed']}/{b['cases']}")
        cats.add_row(*row)
    console.print(cats)
    for r in results:
        if not r["passed"]:
            console.print(f"[red]FAIL[/red] {r['id']}: {'; '.join(r['failures'])}")
    console.print(f"Compared with the previous run: {change}")
    console.print("[green]Gate passed[/green]" if not problems else "[red]Gate failed:[/red] " + "; ".join(problems))


def write_reports(summary: dict, baseline: dict | None, results: list[dict], problems: list[str],
                  out_dir: Path = REPORTS_DIR, record_history: bool = True) -> str:
    out_dir.mkdir(parents=True, exist_ok=True)
    history_path = out_dir / "history.jsonl"
    previous = None
    if history_path.exists():
        lines = [l for l in history_path.read_text().splitlines() if l.strip()]
        previous = json.loads(lines[-1]) if lines else None
    passed_ids = {r["id"] for r in results if r["passed"]}
    change = compare(previous, passed_ids)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    payload = {"time": stamp, "summary": summary, "baseline": baseline, "gate_problems": problems,
               "change": change, "cases": results}
    (out_dir / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    (out_dir / "latest.md").write_text(_markdown(summary, baseline, results, problems, change, stamp))
    _chart(summary, baseline, out_dir / "pass_rate_by_category.png")
    if record_history:
        entry = {"time": stamp, **{k: summary[k] for k in HEADLINE}, "passed_ids": sorted(passed_ids)}
        with history_path.open("a") as f:
            f.write(json.dumps(entry) + "\n")
    return change


def _markdown(summary, baseline, results, problems, change, stamp) -> str:
    lines = [f"# Eval report ({stamp})", "", f"**{summary['passed']}/{summary['cases']} cases pass.** "
             f"Compared with the previous run: {change}.", "",
             "Gate: " + ("passed" if not problems else "FAILED: " + "; ".join(problems)), "",
             "| metric | assistant |" + (" naive baseline |" if baseline else ""),
             "|---|---:|" + ("---:|" if baseline else "")]
    for name in HEADLINE:
        lines.append(f"| {name} | {summary[name]} |" + (f" {baseline[name]} |" if baseline else ""))
    lines += ["", "| category | passed |" + (" baseline |" if baseline else ""), "|---|---:|" + ("---:|" if baseline else "")]
    for name, c in summary["categories"].items():
        b = f" {baseline['categories'][name]['passed']}/{c['cases']} |" if baseline else ""
        lines.append(f"| {name} | {c['passed']}/{c['cases']} |{b}")
    failed = [r for r in results if not r["passed"]]
    lines += ["", "## Failing cases", ""] + ([f"- `{r['id']}`: {'; '.join(r['failures'])}" for r in failed] or ["None."])
    lines += ["", "![pass rate by category](pass_rate_by_category.png)", ""]
    return "\n".join(lines)


def _chart(summary: dict, baseline: dict | None, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(summary["categories"])
    ours = [summary["categories"][n]["pass_rate"] * 100 for n in names]
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
    y = range(len(names))
    if baseline:
        base = [baseline["categories"][n]["pass_rate"] * 100 for n in names]
        ax.barh([i + 0.2 for i in y], base, height=0.4, color="#bbbbbb", label="naive baseline")
        ax.barh([i - 0.2 for i in y], ours, height=0.4, color="#2b7bb9", label="assistant")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    else:
        ax.barh(list(y), ours, color="#2b7bb9")
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("cases passed (%)")
    ax.set_title(f"Pass rate by category: {summary['passed']}/{summary['cases']} overall")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
