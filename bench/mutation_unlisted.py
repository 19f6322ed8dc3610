"""List the recorded survivors that ``bench/mutation-equivalent.md`` does not account for.

Usage: ``python bench/mutation_unlisted.py [--results bench/results/mutation.json]``

Every survivor of ``bench/mutation.py`` must be killed by a test or named in
``bench/mutation-equivalent.md`` with the reason no test can kill it. This reads the
survivors of the last run from the results file and the names from the list, and
prints each survivor the list does not name, one per line, by target. Exits 1 if
there is any (a new survivor to triage, or a killed one whose results are stale: rerun
``bench/mutation.py --survivors`` for those), 0 when every survivor is listed.

The list names mutants two ways:

- in full, in backticks (``aegis.render.x_update__mutmut_27``), where a following
  backticked ``_28`` is the same function's mutant 28;
- as ``module function numbers`` (``cache UserCache.put 13``,
  ``mfa_tokens MfaTokens.verify 30, 31, 35-38``), for the auth package, whose
  modules live in ``<package>.auth``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
FULL = re.compile(r"`([\w.ǁ]+__mutmut_\d+)`((?:,?\s*(?:and\s+)?`_\d+`)*)")
SHORT = re.compile(r"`(\w+) ([\w.]+) (\d+(?:-\d+)?(?:, \d+(?:-\d+)?)*)`")


def listed_names(text: str, auth_package: str) -> set[str]:
    """Every mutant name the equivalents list gives, in mutmut's spelling."""
    names: set[str] = set()
    for first, more in FULL.findall(text):
        names.add(first)
        stem = first.rsplit("_", 1)[0]
        names.update(stem + number for number in re.findall(r"`(_\d+)`", more))
    for module, function, numbers in SHORT.findall(text):
        if "." in function:
            cls, method = function.split(".", 1)
            stem = f"xǁ{cls}ǁ{method}"
        else:
            stem = f"x_{function}"
        for part in numbers.split(", "):
            low, _, high = part.partition("-")
            for number in range(int(low), int(high or low) + 1):
                names.add(f"{auth_package}.auth.{module}.{stem}__mutmut_{number}")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=BENCH / "results" / "mutation.json")
    parser.add_argument("--equivalents", type=Path, default=BENCH / "mutation-equivalent.md")
    parser.add_argument("--package", default="my_app", help="the auth target's package")
    args = parser.parse_args()
    report = json.loads(args.results.read_text(encoding="utf-8"))
    listed = listed_names(args.equivalents.read_text(encoding="utf-8"), args.package)
    unlisted = 0
    for target, run in report.items():
        for module, counts in run["modules"].items():
            for name in sorted(set(counts["survivors"]) - listed):
                print(f"{target} {module} {name}")
                unlisted += 1
    print(f"{unlisted} survivors not listed as equivalent", file=sys.stderr)
    sys.exit(1 if unlisted else 0)


if __name__ == "__main__":
    main()
