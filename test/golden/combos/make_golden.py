#!/usr/bin/env python3
"""Writes the golden combinations reports from fixture.json.

An independent oracle for src-shared/report/combos.ts: it restates, in Python, the text that the
original's run_showcombos.py prints (its f-strings, Python's own number formatting, heapq's
tie order), from the same made-up data. With original=True counts are read as the original reads
them, from defaultdicts that store every zero they are asked for; otherwise reads store nothing
(ours). Run once: `python3 make_golden.py`.
"""
import heapq
import json
import math
import statistics
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixture.json").read_text())


def report(n_runs_used, select_by, select_max, select_n, mistake_n, original=False):
    names = FIX["classNames"]
    ys = FIX["testLabels"]
    runs = FIX["runs"][:n_runs_used]
    few = FIX["splits"]["few"]

    def split_of(c):
        return next(s for s in ("few", "medium", "many") if c in FIX["splits"][s])

    def confusions(pred_lists):
        mistakes = defaultdict(lambda: defaultdict(int))
        preds = defaultdict(int)
        for yhats in pred_lists:
            for y, yhat in zip(ys, yhats):
                preds[y] += 1
                if y != yhat:
                    mistakes[y][yhat] += 1
        return mistakes, preds

    def acc(yhats, c):
        pairs = [(y, yh) for y, yh in zip(ys, yhats) if y == c]
        return sum(y == yh for y, yh in pairs) / len(pairs)

    pre_m, pre_n = confusions([FIX["baselinePredictions"]])
    post_m, post_n = confusions([r["predictions"] for r in runs])
    pre_acc = {c: acc(FIX["baselinePredictions"], c) for c in few}
    post_acc = {c: statistics.mean(acc(r["predictions"], c) for r in runs) for c in few}
    key = post_acc if select_by == "acc" else {c: post_acc[c] - pre_acc[c] for c in few}
    pick = heapq.nlargest if select_max else heapq.nsmallest
    n = len(runs)
    out = []

    def cnt(m, y, yhat):
        return m[y][yhat] if original else m.get(y, {}).get(yhat, 0)

    def row(m, y):
        return m[y] if original else m.get(y, {})

    def mistakes_text(fc, cs):
        for c in cs:
            out.append(
                f"\t{names[c]} ('{split_of(c)}' split): {cnt(pre_m, fc, c)} -> "
                f"{cnt(post_m, fc, c) / n:.2f} ({cnt(post_m, fc, c)}/{n})"
            )
            out.append(
                f"\t\t|-> as '{names[fc]}': {cnt(pre_m, c, fc)} -> "
                f"{cnt(post_m, c, fc) / n:.2f} ({cnt(post_m, c, fc)}/{n})"
            )

    for fc in pick(select_n, sorted(few), lambda c: key[c]):
        nns = FIX["neighbours"][str(fc)]
        terms = []
        for j, nn in enumerate(nns):
            xs = [r["alphas"][str(fc)][j] for r in runs]
            mu = sum(xs) / len(xs)
            sig = statistics.stdev(xs) if len(xs) > 1 else math.nan
            coef = f"({mu:.2g})" if math.isnan(sig) else f"({mu:.2g}±{sig:.2g})"
            terms.append(f"{coef}[{names[nn]}]")
        pad = " " * (len(names[fc]) + 5)
        out.append("*" * 44)
        out.append(f"[{names[fc]}] = [{names[fc]}]\n{pad}+ " + f"\n{pad}+ ".join(terms))
        out.append(f"\nTraining samples: {FIX['trainSamplesPerClass'][fc]}")
        out.append(f"Baseline accuracy: {pre_acc[fc]:.2f}")
        out.append(f"Mean AlphaNet accuracy: {post_acc[fc]:.2f}\n")
        pre_row, post_row = row(pre_m, fc), row(post_m, fc)
        top_pre = heapq.nlargest(
            mistake_n if mistake_n is not None else len(pre_row), pre_row, key=lambda c: pre_row[c]
        )
        top_post = heapq.nlargest(
            mistake_n if mistake_n is not None else len(post_row), post_row, key=lambda c: post_row[c]
        )
        out.append(
            f"Top baseline misclassifications (total {sum(pre_row.values())} mistakes / "
            f"{pre_n[fc]} predictions),\nand corresponding mean AlphaNet misclassifications\n"
            f"(total {sum(post_row.values())} mistakes / {post_n[fc]} predictions, across "
            f"{n} repetition(s)):"
        )
        mistakes_text(fc, top_pre)
        out.append("\nTop AlphaNet misclassifications:")
        mistakes_text(fc, top_post)
        out.append("*" * 44 + "\n")
    return "".join(line + "\n" for line in out)


(HERE / "default.txt").write_text(report(3, "acc_delta", True, 5, None))
(HERE / "default-original.txt").write_text(report(3, "acc_delta", True, 5, None, original=True))
(HERE / "acc-min-2-mistakes-1.txt").write_text(report(3, "acc", False, 2, 1))
(HERE / "single-run.txt").write_text(report(1, "acc", True, 1, None))
