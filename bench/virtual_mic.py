"""The project's virtual microphone (scripts/virtual-mic.sh) for the benchmarks that play
speech into it: a daemon in a runtime folder of the benchmark's own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "virtual-mic.sh"


def start_virtual_mic(runtime: Path) -> None:
    """Start the virtual microphone in ``runtime`` and point this process at it."""
    env = {**os.environ, "VMIC_DIR": str(runtime)}
    started = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True,
                             env=env)
    if started.returncode != 0:
        raise SystemExit(f"The virtual microphone did not start:\n{started.stderr}")
    for line in started.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            os.environ[name] = value.strip('"')


def stop_virtual_mic(runtime: Path) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop"], env={**os.environ, "VMIC_DIR": str(runtime)},
                   check=False, capture_output=True)
