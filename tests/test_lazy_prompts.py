import subprocess
import sys

CHECK = """
import sys
import aegis.render
import copier
from aegis._lazy_prompts import _StandIn
print(isinstance(sys.modules["questionary"], _StandIn))
from questionary import Choice
choice = Choice("x").title   # first real use imports the real library
print(isinstance(sys.modules["questionary"], _StandIn), choice)
"""


def test_prompt_libraries_load_only_when_used() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "False", "x"]
