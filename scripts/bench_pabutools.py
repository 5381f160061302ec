#!/usr/bin/env python3
"""Time pabutools 1.2.3 and `civitas pb tally` on the shared Pabulib files, in the same run.

Setup (once):
    python3 -m venv /tmp/pabutools-venv
    /tmp/pabutools-venv/bin/pip install pabutools==1.2.3
    cargo build --release --bin civitas

Run (from the repository root):
    /tmp/pabutools-venv/bin/python scripts/bench_pabutools.py \
        --civitas target/release/civitas --max-reference-seconds 20 --out /tmp/bench.tsv

pabutools' time is the mean of as many calls as fit in --min-seconds (one call for slower
cases), printed to the microsecond. Each case is an (instance, rule) row of ../shared/data/pabulib/reference.tsv. pabutools is
timed on the rule call only (the file is parsed beforehand), civitas on a whole
`civitas pb tally` process (parsing included), so the ratio is if anything unfair to civitas.
Both selections are checked against reference.tsv. Cases whose reference time (the `seconds`
column) exceeds --max-reference-seconds are skipped unless named with --case; this keeps a run
on a 2-core machine within minutes.
"""

import argparse
import csv
import os
import subprocess
import sys
import time

from pabutools.election import (
    Additive_Borda_Sat,
    Additive_Cardinal_Sat,
    Cardinality_Sat,
    Cost_Sat,
    parse_pabulib,
)
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    max_additive_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)


def greedy(sat):
    return lambda instance, profile: greedy_utilitarian_welfare(instance, profile, sat_class=sat)


def max_welfare(sat):
    return lambda instance, profile: max_additive_utilitarian_welfare(instance, profile, sat_class=sat)


def mes(sat, increment=None):
    return lambda instance, profile: method_of_equal_shares(
        instance, profile, sat_class=sat, voter_budget_increment=increment
    )


def mes_then_greedy(increment=None):
    def rule(instance, profile):
        params = {"sat_class": Cost_Sat}
        if increment is not None:
            params["voter_budget_increment"] = increment
        return completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [params, {"sat_class": Cost_Sat}],
        )

    return rule


RULES = {
    "greedy-cost": greedy(Cost_Sat),
    "greedy-card": greedy(Cardinality_Sat),
    "greedy-points": greedy(Additive_Cardinal_Sat),
    "greedy-borda": greedy(Additive_Borda_Sat),
    "max-welfare-cost": max_welfare(Cost_Sat),
    "max-welfare-card": max_welfare(Cardinality_Sat),
    "max-welfare-points": max_welfare(Additive_Cardinal_Sat),
    "phragmen": lambda instance, profile: sequential_phragmen(instance, profile),
    "mes-cost": mes(Cost_Sat),
    "mes-card": mes(Cardinality_Sat),
    "mes-points": mes(Additive_Cardinal_Sat),
    "mes-borda": mes(Additive_Borda_Sat),
    "mes-cost+greedy": mes_then_greedy(),
    "mes-cost-add1": mes(Cost_Sat, increment=1),
    "mes-cost-add1+greedy": mes_then_greedy(increment=1),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "pabulib"))
    parser.add_argument("--civitas", help="path to the civitas binary (release build); omit to time pabutools only")
    parser.add_argument("--max-reference-seconds", type=float, default=20.0)
    parser.add_argument("--case", action="append", default=[], help="INSTANCE:RULE to include regardless of time")
    parser.add_argument("--instance", action="append", default=[], help="only these instances (default: all)")
    parser.add_argument("--civitas-repeats", type=int, default=3, help="civitas runs per case (the best is kept)")
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=1.0,
        help="repeat a pabutools call until this much time has passed and report the mean, so that "
        "millisecond cases are timed to the microsecond (calls longer than this run once)",
    )
    parser.add_argument("--out", help="also write the table to this TSV file")
    args = parser.parse_args()

    with open(os.path.join(args.data, "reference.tsv"), newline="") as handle:
        reference = list(csv.DictReader(handle, delimiter="\t"))
    named = {tuple(case.split(":", 1)) for case in args.case}
    cases = []
    for row in reference:
        if not row["selected"] or (args.instance and row["instance"] not in args.instance):
            continue
        seconds = float(row["seconds"])
        if seconds <= args.max_reference_seconds or (row["instance"], row["rule"]) in named:
            cases.append(row)

    header = ["instance", "rule", "reference_seconds", "pabutools_seconds", "pabutools_ok", "civitas_seconds", "civitas_ok", "ratio"]
    print("\t".join(header), flush=True)
    table = []
    parsed = {}
    for row in cases:
        instance, rule = row["instance"], row["rule"]
        path = os.path.join(args.data, instance)
        if instance not in parsed:
            parsed = {instance: parse_pabulib(path)}
        election, profile = parsed[instance]
        calls = 0
        started = time.perf_counter()
        while True:
            outcome = RULES[rule](election, profile)
            calls += 1
            elapsed = time.perf_counter() - started
            if elapsed >= args.min_seconds:
                break
        pabutools_seconds = elapsed / calls
        pabutools_ok = ",".join(sorted(str(project) for project in outcome)) == row["selected"]

        civitas_seconds, civitas_ok = "", ""
        if args.civitas:
            best = None
            for _ in range(args.civitas_repeats):
                started = time.perf_counter()
                result = subprocess.run(
                    [args.civitas, "pb", "tally", "--rule", rule, path], capture_output=True, text=True, check=False
                )
                elapsed = time.perf_counter() - started
                best = elapsed if best is None else min(best, elapsed)
            civitas_seconds = f"{best:.4f}"
            civitas_ok = ",".join(sorted(result.stdout.split())) == row["selected"]
        ratio = f"{pabutools_seconds / float(civitas_seconds):.0f}" if civitas_seconds else ""
        line = [instance, rule, row["seconds"], f"{pabutools_seconds:.6f}", str(pabutools_ok), civitas_seconds, str(civitas_ok), ratio]
        print("\t".join(line), flush=True)
        table.append(line)

    if args.out:
        with open(args.out, "w", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t")
            writer.writerow(header)
            writer.writerows(table)
    return 0 if all(line[4] == "True" and line[6] in ("True", "") for line in table) else 1


if __name__ == "__main__":
    sys.exit(main())
