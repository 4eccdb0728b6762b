"""The first answer of a practice session waits no longer than the next: what the report
imports on first use is loaded while the question is shown (``report.preload``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# a fresh interpreter: build a report after preload(), list the modules that loaded then
SCRIPT = """
import json, sys
sys.path.insert(0, "tests")
from analysis_helpers import CONCISE, MOTIVATION, transcript
from mockview.analysis.content import JobDescription
from mockview import report

if sys.argv[1] == "preload":
    report.preload()
loaded = set(sys.modules)
answer = transcript("Um, so, like, I " + CONCISE + " We, uh, measured it: 30% faster.")
report.build_report(answer, question=MOTIVATION,
                    job=JobDescription("Data analyst. SQL, Python and dashboards for sales."))
print(json.dumps(sorted(set(sys.modules) - loaded)))
"""


def modules_loaded_by_first_report(*args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def test_a_report_after_preload_imports_nothing_more():
    assert modules_loaded_by_first_report("preload") == []


def test_without_preload_the_first_report_imports_the_analysis():
    # the check above can fail: the analysis does load on first use
    assert "mockview.analysis.answer" in modules_loaded_by_first_report("none")
