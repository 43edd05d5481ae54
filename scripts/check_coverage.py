"""Fail when any module of the portal is covered below the floor (after `make test`).

    python scripts/check_coverage.py [--floor 90]

Reads the coverage data `make test` collected (the same configuration as `coverage report`),
so a module is measured exactly as the report shows it.
"""

import argparse
import json
import sys
import tempfile

import coverage


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--floor", type=float, default=90.0, help="lowest share of lines covered, per module")
    args = parser.parse_args()
    cov = coverage.Coverage()
    cov.load()
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        total = cov.json_report(outfile=out.name)
        files = json.load(open(out.name))["files"]
    low = sorted(
        (summary["percent_covered"], name)
        for name, summary in ((name, data["summary"]) for name, data in files.items())
        if summary["num_statements"] and summary["percent_covered"] < args.floor
    )
    for covered, filename in low:
        print(f"{covered:5.1f}%  {filename}")
    if low:
        print(f"{len(low)} module(s) below {args.floor:.0f}%", file=sys.stderr)
        return 1
    print(f"every module at {args.floor:.0f}% or more; {total:.1f}% in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
