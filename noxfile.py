"""mockview on every Python it supports, each in a fresh environment: `nox`.

The whole suite runs on one interpreter (`python -m pytest`, the README's test command);
these sessions run the rest of the matrix, each in a new virtual environment with a new
dependency resolution, as a user's `pip install` gets it today:

    smoke-3.10, smoke-3.12, smoke-3.13   install, `mockview --help` and `analyze` of a real
                                         clip from outside the checkout, then the tests marked
                                         `smoke` (every audio format, the real model, a store
                                         round trip, the virtual microphone, the review page in
                                         Chromium, the delivery measures)
    oldest                               the same on Python 3.10 with every dependency at the
                                         lowest version pyproject.toml allows
                                         (constraints/oldest.txt)
    pipx                                 `pipx install .` as a user does, then the same CLI checks

Each session prints the Python and the versions it resolved, and adds a row (install time,
installed size, result) to .nox/matrix.md, which .ci/run prints at the end. The system
packages come first: `bash scripts/install-test-deps.sh`. On CI a missing interpreter fails
the run; elsewhere nox skips it.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT / "samples" / "short_strength.flac"
MATRIX = ROOT / ".nox" / "matrix.md"
OLDEST = ROOT / "constraints" / "oldest.txt"
#: The libraries whose releases decide whether mockview works; their versions go in the log.
WATCHED = ["av", "librosa", "numpy", "faster-whisper", "ctranslate2", "numba", "scipy",
           "soundfile", "sounddevice", "onnxruntime"]

nox.options.sessions = ["smoke", "oldest", "pipx"]
nox.options.reuse_venv = "no"  # a fresh resolution every run: what a new user gets today


@nox.session(python=["3.10", "3.12", "3.13"])
def smoke(session: nox.Session) -> None:
    """Today's releases of every dependency on this Python: install, CLI, smoke tests."""
    with matrix_row(session, session.name) as row:
        row["install_s"], row["size"] = install_timed(session, str(ROOT))
        show_versions(session)
        check_cli(session, "mockview")
        session.install(f"{ROOT}[test]")
        run_smoke_tests(session)


@nox.session(python="3.10")
def oldest(session: nox.Session) -> None:
    """The lowest versions pyproject.toml allows (its `>=` bounds), on the oldest Python."""
    with matrix_row(session, "oldest (3.10, lowest bounds)") as row:
        row["install_s"], row["size"] = install_timed(session, "-c", str(OLDEST), str(ROOT))
        show_versions(session)
        check_cli(session, "mockview")
        session.install("-c", str(OLDEST), f"{ROOT}[test]")
        run_smoke_tests(session)


@nox.session(python="3.12")
def pipx(session: nox.Session) -> None:
    """`pipx install .`, the README's way to get the command without touching the system
    Python, into a pipx home of this session's own."""
    session.install("pipx")
    home = Path(session.create_tmp()).resolve() / "pipx"
    shutil.rmtree(home, ignore_errors=True)
    env = {"PIPX_HOME": str(home), "PIPX_BIN_DIR": str(home / "bin"),
           "PIPX_MAN_DIR": str(home / "man")}
    with matrix_row(session, "pipx (3.12)") as row:
        started = time.perf_counter()
        session.run("pipx", "install", str(ROOT), env=env)
        row["install_s"] = time.perf_counter() - started
        venv = home / "venvs" / "mockview"
        row["size"] = installed_size(next(venv.glob("lib/python*/site-packages")))
        check_cli(session, str(home / "bin" / "mockview"))


# --- the pieces -----------------------------------------------------------------------------


@dataclass
class Installed:
    """What an environment holds: megabytes in all, and the largest packages."""

    megabytes: float
    largest: str


def install_timed(session: nox.Session, *args: str) -> tuple[float, Installed]:
    """Install into the session's environment; the seconds it took and what it holds."""
    started = time.perf_counter()
    session.install(*args)
    seconds = time.perf_counter() - started
    site = session.run("python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                       silent=True, stderr=None).strip()
    return seconds, installed_size(Path(site))


def installed_size(site_packages: Path) -> Installed:
    """The size of everything in ``site_packages``, grouped by top-level folder (a package's
    bundled libraries, ``name.libs``, counted with it)."""
    by_package: dict[str, int] = defaultdict(int)
    for path in site_packages.rglob("*"):
        if path.is_file() and not path.is_symlink():
            top = path.relative_to(site_packages).parts[0]
            by_package[top.split("-")[0].removesuffix(".libs")] += path.stat().st_size
    biggest = sorted(by_package.items(), key=lambda item: -item[1])[:6]
    return Installed(sum(by_package.values()) / 1e6,
                     ", ".join(f"{name} {size / 1e6:.0f} MB" for name, size in biggest))


def show_versions(session: nox.Session) -> None:
    """Log the interpreter and the watched libraries' versions, as resolved."""
    code = (
        "import importlib.metadata as m, platform\n"
        f"names = {WATCHED!r}\n"
        "def version(name):\n"
        "    try:\n"
        "        return m.version(name)\n"
        "    except m.PackageNotFoundError:\n"
        "        return '-'\n"
        "print('Python', platform.python_version(), '|',"
        " ', '.join(f'{n} {version(n)}' for n in names))\n"
    )
    session.log("resolved: " + session.run("python", "-c", code, silent=True,
                                           stderr=None).strip())


def check_cli(session: nox.Session, mockview: str) -> None:
    """`mockview --help` and `mockview analyze --json` of a real clip, run from a folder
    outside the checkout so that only the installed package can answer."""
    with session.chdir(session.create_tmp()):
        session.run(mockview, "--help", silent=True, external=True)
        output = session.run(mockview, "analyze", str(SAMPLE), "--json", silent=True,
                             stderr=None, external=True,
                             env={"MOCKVIEW_HOME": str(Path.cwd() / "home")})
    report = json.loads(output)
    words = report["transcript"]["words"]
    problems = [
        problem for problem, failed in [
            ("no words transcribed", len(words) < 20),
            ("duration not that of the sample",
             abs(report["audio"]["duration_s"] - 24.57) > 0.1),
            ("no pace measured", not report["metrics"]["pace"]["words_per_minute"]),
        ] if failed
    ]
    if problems:
        session.error(f"mockview analyze {SAMPLE.name}: {'; '.join(problems)}")
    session.log(f"analyze {SAMPLE.name}: {len(words)} words, "
                f"{report['metrics']['pace']['words_per_minute']:.0f} wpm, "
                f"{report['metrics']['fillers']['count']} fillers")


def run_smoke_tests(session: nox.Session) -> None:
    """The tests marked `smoke`, on the installed mockview rather than the checkout's: pytest
    runs from a folder outside the checkout (so that neither it nor the tests' own
    `python -m mockview` finds the source tree first) with the checkout appended to the path,
    not prepended. The header line "mockview: ..." names the copy under test."""
    with session.chdir(session.create_tmp()):
        session.run("pytest", str(ROOT / "tests"), "-m", "smoke", "--rootdir", str(ROOT),
                    "-c", str(ROOT / "pyproject.toml"), "--import-mode=append",
                    "-p", "no:cacheprovider", *session.posargs)


class matrix_row:
    """Adds the session's row to .nox/matrix.md when it ends, passed or failed; its
    installed size, with the largest packages, goes in the log."""

    def __init__(self, session: nox.Session, name: str):
        self.session, self.name, self.row = session, name, {}

    def __enter__(self) -> dict:
        self.python = self.session.run("python", "-c", "import platform; "
                                       "print(platform.python_version())",
                                       silent=True, stderr=None).strip()
        return self.row

    def __exit__(self, kind, error, traceback) -> None:
        installed = self.row.get("size")
        if installed is not None:
            self.session.log(f"installed: {installed.megabytes:.0f} MB; largest: "
                             f"{installed.largest}")
        install = f"{self.row['install_s']:.0f} s" if "install_s" in self.row else "-"
        size = f"{installed.megabytes:.0f} MB" if installed is not None else "-"
        result = "passed" if kind is None else "FAILED"
        MATRIX.parent.mkdir(exist_ok=True)
        new = not MATRIX.exists()
        with MATRIX.open("a") as table:
            if new:
                table.write("| session | Python | install | installed size | smoke |\n"
                            "| --- | --- | --- | --- | --- |\n")
            table.write(f"| {self.name} | {self.python} | {install} | {size} | {result} |\n")
