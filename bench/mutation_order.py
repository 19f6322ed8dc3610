"""pytest plugin for `bench/mutation.py`: each mutant's tests run fastest first.

mutmut runs a mutant's tests in no particular order and stops at the first failure, so
a mutant killed only by a quick test could wait behind a minute of slow ones. Sorted
by the durations mutmut recorded in its clean run, most mutants die within seconds.
Loaded with `-p mutation_order` (through PYTEST_ADDOPTS) in mutmut's processes only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# mutmut runs the tests from its `mutants` directory, where it keeps this file.
_STATS = Path("mutmut-stats.json")


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Run the collected tests in order of their clean duration, shortest first."""
    # Read each time: mutmut writes the file after this plugin is first imported.
    stats = json.loads(_STATS.read_text(encoding="utf-8")) if _STATS.is_file() else {}
    durations: dict[str, float] = stats.get("duration_by_test", {})
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
