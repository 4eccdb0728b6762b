"""The peer of bench/eval_robustness.py: erm 0.4.0 (PyPI, MIT), which strips "um", "uh", "er",
"ah" and "hmm" from recordings and hunts the fillers Whisper leaves out with audio detectors.

erm is not a dependency of mockview. Its requirements (faster-whisper, numpy, librosa,
soundfile; Python 3.11+) are all mockview's own, so it installs without pulling anything:
``pip install --no-deps erm==0.4.0`` (a 53 kB pure-Python wheel), best into a separate venv
made with ``python -m venv --system-site-packages``.

erm's command line needs ffprobe even for ``--dry-run`` (it checks every input for a video
stream), so its detection is run here through its public functions instead, in the order and
with the defaults of its command line (read from its own argument parser, not copied):
transcription with its verbatim prompt, then the four passes (filler words, voiced runs in
gaps between words, fillers inside long words, pitch-confirmed overlong words). Denoising and
room tone only shape erm's rendered output, so they are left out. It runs on the same bundled
tiny.en model as mockview, on the CPU.

Each candidate erm would cut is counted as one filler, with candidates that overlap (two
passes finding the same sound) counted once. erm's cosmetic merge of cuts less than 120 ms
apart is not applied: it would count "uh uh uh" as one.
"""

from __future__ import annotations

import importlib.metadata
import sys
from dataclasses import dataclass
from pathlib import Path

NAME = "erm"
VERSION = "0.4.0"


@dataclass(frozen=True)
class PeerResult:
    """What erm found in one recording: its transcript and the fillers it would cut."""

    text: str
    fillers: tuple[str, ...]  # "label@start_s": "um", "<gap>", "<in:word>", "<long:word>"


def unavailable() -> str | None:
    """Why the peer cannot run in this Python, or None when it can."""
    if sys.version_info < (3, 11):
        return "erm needs Python 3.11 or later"
    try:
        installed = importlib.metadata.version(NAME)
    except importlib.metadata.PackageNotFoundError:
        return (f"erm is not installed in this Python ({sys.executable}); install it with "
                f"pip install --no-deps erm=={VERSION} (see bench/README.md)")
    if installed != VERSION:
        return f"erm {installed} is installed; this comparison is written for {VERSION}"
    return None


def find_fillers(path: Path, *, model_dir: str) -> PeerResult:
    """Run erm's filler detection on one recording with the model in ``model_dir``."""
    import erm
    from erm.cli import _build_remove_parser

    defaults = _build_remove_parser().parse_args([str(path)])
    words, duration_s = erm.transcribe(path, model_name=model_dir, device="cpu",
                                       compute_type=defaults.compute_type)
    candidates = erm.find_fillers(words, erm.DEFAULT_FILLERS)
    if defaults.detect_gaps:
        audio, rate = erm.load_audio_mono(path)
        voiced = {"min_voiced_s": defaults.gap_min_voiced_ms / 1000,
                  "max_voiced_s": defaults.gap_max_voiced_ms / 1000}
        candidates += erm.detect_gap_fillers(audio, rate, words, duration_s,
                                             min_gap_s=defaults.gap_min_ms / 1000, **voiced)
        candidates += erm.detect_intraword_fillers(
            audio, rate, words, min_word_s=defaults.intraword_min_ms / 1000,
            confirm_pitch=defaults.confirm_pitch, **voiced)
        candidates += [cut for cut in erm.detect_overlong_words(audio, rate, words, **voiced)
                       if not defaults.confirm_pitch
                       or erm.is_sustained_vowel(audio, rate, cut.start, cut.end)]
    distinct = erm.merge_close_cuts(candidates, min_gap_s=0.0)  # overlapping ones only
    return PeerResult(text=" ".join(w.text for w in words),
                      fillers=tuple(f"{cut.word}@{cut.start:.2f}" for cut in distinct))
