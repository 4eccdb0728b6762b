"""The dependency bounds mean what they say: each lower bound is the version the `oldest`
session of noxfile.py installs, and an upper bound needs a stated reason."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
OLDEST = ROOT / "constraints" / "oldest.txt"


def declared() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    return [Requirement(text) for text in
            project["dependencies"] + project["optional-dependencies"]["test"]]


def pinned() -> dict[str, str]:
    pins = {}
    for line in OLDEST.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def lower_bound(requirement: Requirement) -> str | None:
    bounds = [spec.version for spec in requirement.specifier if spec.operator == ">="]
    return bounds[0] if len(bounds) == 1 else None


@pytest.mark.parametrize("requirement", declared(), ids=lambda r: r.name)
def test_each_dependency_has_one_lower_bound_and_the_oldest_run_installs_it(requirement):
    bound = lower_bound(requirement)
    assert bound is not None, f"{requirement} needs exactly one >= bound"
    pin = pinned().get(canonicalize_name(requirement.name))
    assert pin is not None, f"constraints/oldest.txt does not pin {requirement.name}"
    # 1.1 and 1.1.0 are the same bound
    assert re.sub(r"(\.0)+$", "", pin) == re.sub(r"(\.0)+$", "", bound), (
        f"{requirement.name}: pyproject.toml says >={bound}, constraints/oldest.txt ={pin}")


def test_the_oldest_run_pins_nothing_that_is_not_a_dependency():
    names = {canonicalize_name(r.name) for r in declared()}
    assert set(pinned()) <= names


def test_every_upper_bound_says_why():
    lines = PYPROJECT.read_text().splitlines()
    for requirement in declared():
        if any(spec.operator not in (">=", ">") for spec in requirement.specifier):
            number = next(n for n, line in enumerate(lines) if f'"{requirement}' in line
                          or f'"{requirement.name}' in line)
            assert lines[number - 1].strip().startswith("#"), (
                f"pyproject.toml caps {requirement.name} without a comment saying why")
