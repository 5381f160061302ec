#!/usr/bin/env python3
"""Write reference.tsv rows: what pabutools 1.2.3 selects for each given .pb file and rule.

Setup (once):
    python3 -m venv /tmp/pabutools-venv
    /tmp/pabutools-venv/bin/pip install pabutools==1.2.3

Run (from the repository root):
    /tmp/pabutools-venv/bin/python scripts/pabutools_reference.py FILE.pb... \
        [--rule mes-cost --rule greedy-cost ...] > reference.tsv

Rows have the columns of core/tests/data/pabulib/reference.tsv (instance, rule, seconds,
selected — sorted ids, n_selected, total_cost, selection_order); a rule that does not apply to
a file's vote type is left out. With no --rule, every approval rule but the add-one ones.
`scripts/bench_pabutools.py --data DIR` then checks `civitas pb tally` against such a file.
"""

import argparse
import csv
import os
import sys
import time
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_pabutools import RULES  # noqa: E402
from pabutools.election import parse_pabulib  # noqa: E402

APPROVAL = ["greedy-cost", "greedy-card", "max-welfare-cost", "phragmen", "mes-cost", "mes-cost+greedy"]
POINTS = ["greedy-points", "max-welfare-points", "mes-points"]
ORDINAL = ["greedy-borda", "mes-borda"]


def applies(rule, vote_type):
    if vote_type in ("approval", "choose-1"):
        return rule not in POINTS and rule not in ORDINAL
    if vote_type in ("cumulative", "scoring"):
        return rule in POINTS
    return rule in ORDINAL


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--rule", action="append", default=[])
    args = parser.parse_args()
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(["instance", "rule", "seconds", "selected", "n_selected", "total_cost", "selection_order"])
    for path in args.files:
        election, profile = parse_pabulib(path)
        vote_type = election.meta.get("vote_type", "approval")
        for rule in args.rule or APPROVAL + POINTS + ORDINAL:
            if not applies(rule, vote_type):
                continue
            started = time.perf_counter()
            outcome = RULES[rule](election, profile)
            seconds = time.perf_counter() - started
            total = sum(Fraction(str(project.cost)) for project in outcome)
            total = str(total.numerator) if total.denominator == 1 else f"{float(total):g}"
            writer.writerow([
                os.path.basename(path), rule, f"{seconds:.3f}",
                ",".join(sorted(str(project) for project in outcome)), len(outcome), total,
                ",".join(str(project) for project in outcome),
            ])
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
