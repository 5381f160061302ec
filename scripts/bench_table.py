#!/usr/bin/env python3
"""Join pabutools' times (the TSV of scripts/bench_pabutools.py --out) with the in-process
criterion means of `cargo bench -p civitas-core --bench tally`, as a Markdown table.

    python3 scripts/bench_table.py /tmp/bench_pabutools.tsv $CARGO_TARGET_DIR/criterion

Both measure the rule call alone (the file is parsed beforehand). Cases that the pabutools run
skipped show the `seconds` of core/tests/data/pabulib/reference.tsv instead, marked with *.
"""

import csv
import glob
import json
import os
import sys


def criterion_means(root):
    means = {}
    for path in glob.glob(os.path.join(root, "tally", "*", "*", "new", "benchmark.json")):
        with open(path) as handle:
            bench = json.load(handle)
        with open(os.path.join(os.path.dirname(path), "estimates.json")) as handle:
            estimates = json.load(handle)
        means[(bench["value_str"], bench["function_id"])] = estimates["mean"]["point_estimate"] / 1e9
    return means


def human(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-4:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1e6:.1f} µs"


def main():
    pabutools_tsv, criterion_root = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    reference_tsv = os.path.join(here, "..", "core", "tests", "data", "pabulib", "reference.tsv")
    means = criterion_means(criterion_root)
    with open(pabutools_tsv, newline="") as handle:
        measured = {(row["instance"], row["rule"]): float(row["pabutools_seconds"]) for row in csv.DictReader(handle, delimiter="\t")}
    print("| instance | rule | pabutools 1.2.3 | civitas | ratio |")
    print("|---|---|---|---|---|")
    with open(reference_tsv, newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            key = (row["instance"], row["rule"])
            civitas = means.get(key)
            if key in measured:
                pabutools, mark = measured[key], ""
            elif row["seconds"].startswith("NA"):
                print(f"| {key[0]} | {key[1]} | {row['seconds']}* | see below | |")
                continue
            else:
                pabutools, mark = float(row["seconds"]), "*"
            if civitas is None:
                print(f"| {key[0]} | {key[1]} | {human(pabutools)}{mark} | not measured | |")
                continue
            print(f"| {key[0]} | {key[1]} | {human(pabutools)}{mark} | {human(civitas)} | {pabutools / civitas:,.0f}× |")


if __name__ == "__main__":
    main()
