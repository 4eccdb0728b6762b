"""Fixtures shared by every test module."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: ``fake_sd``: a fake sounddevice output for the playback tests.
pytest_plugins = ["tests.fake_sounddevice"]

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "virtual-mic.sh"
JFK = Path(__file__).parent / "data" / "jfk.flac"


def pytest_report_header(config):
    """Which mockview is under test (the checkout, or the installed copy that the smoke runs
    of noxfile.py test) and the releases of the libraries most likely to break it."""
    import importlib.metadata
    import platform

    import mockview

    def version(name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    names = ("av", "librosa", "numpy", "faster-whisper", "ctranslate2", "numba", "scipy")
    return [f"mockview: {Path(mockview.__file__).parent}",
            f"Python {platform.python_version()}: "
            + ", ".join(f"{name} {version(name)}" for name in names)]


@pytest.fixture(autouse=True)
def mockview_home(tmp_path, monkeypatch):
    """Point the user's data directory at a temp dir, so no test reads or writes the real one."""
    monkeypatch.setenv("MOCKVIEW_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def virtual_mic(tmp_path_factory):
    """Start the virtual microphone and point this process at it; stop it at the end.

    Yields a 16-bit WAV of real speech (JFK, 11 s) to play into it. PortAudio's default
    input is then the virtual microphone, and its default output the null sink that feeds
    it. Fails (does not skip) when it cannot start: CI must not hide a missing install step.
    """
    if shutil.which("pulseaudio") is None or shutil.which("paplay") is None:
        pytest.fail("pulseaudio is not installed; run: bash scripts/virtual-mic.sh install")
    # A daemon of this test run's own: two runs at once must not stop each other's.
    daemon_env = {**os.environ, "VMIC_DIR": str(tmp_path_factory.mktemp("vmic"))}
    started = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True,
                             env=daemon_env)
    if started.returncode != 0:
        pytest.fail(f"The virtual microphone did not start:\n{started.stderr}")
    saved = dict(os.environ)
    for line in started.stdout.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            os.environ[name] = value.strip('"')
    if "sounddevice" in sys.modules:  # PortAudio lists devices when it starts: restart it
        import sounddevice

        sounddevice._terminate()
        sounddevice._initialize()
    speech = tmp_path_factory.mktemp("speech") / "jfk16.wav"
    import soundfile

    from mockview.speech.audio import SAMPLE_RATE, load_audio

    # paplay misreads 24-bit FLAC (it plays 2 s of noise), so play a 16-bit WAV of it.
    soundfile.write(speech, load_audio(JFK), SAMPLE_RATE, subtype="PCM_16")
    yield speech
    subprocess.run(["bash", str(SCRIPT), "stop"], check=False, env=daemon_env)
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium through Playwright, one browser for the whole run (two Playwright
    instances cannot share the event loop). Fails (does not skip) without it: CI installs
    it, and a missing browser must not pass as a green run."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed; the review-page tests need it: "
                    "apt-get install chromium (see scripts/install-test-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def local_zone(monkeypatch):
    """Call with a zone name ("Europe/Berlin") to make it the process's local time for the
    test; the machine's own is back afterwards."""
    import time

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()
