"""Robustness of mockview's analysis under the conditions users record in, beside a peer.

Usage: python bench/eval_robustness.py [--conditions NAME ...] [--dev-data ../shared/data/dev]
                                       [--limit N] [--peer | --no-peer] [--seed 0]
                                       [--json] [--save PATH] [--verbose]

Every dev recording (62 files) is put through each condition and analysed as ``mockview
analyze`` analyses what a user's recorder wrote: the degraded recording is written to a
temporary file (16-bit WAV, or the MP3 / Opus file itself), ``transcribe_file`` transcribes it
with the bundled tiny.en, and ``analyze_answer`` analyses the transcript.

Conditions (signal processing in bench/degrade.py; every random draw is seeded from --seed,
the condition and the recording's name, so a run repeats exactly):

  recorded                  the file as it is (the scores of bench/eval_fillers.py)
  noise-20db, noise-10db    pink noise plus 100 Hz mains hum (6 dB below the pink noise)
  babble-20db, babble-10db  three other talkers at once, drawn from the dev recordings of
                            speakers other than the MFA speaker (JFK, LibriSpeech, LibriVox,
                            AMI), never the recording itself: babble made of the MFA
                            speaker's own "um"s would blur whether a found filler was heard
                            or invented
  reverb                    a synthetic room: the direct sound plus exponentially decaying
                            noise, RT60 0.5 s, direct-to-reverberant ratio 0 dB
  phone                     8 kHz, 300-3400 Hz band-pass (zero phase), back to 16 kHz
  mp3-32k, opus-32k         32 kbps mono at 16 kHz, encoded with PyAV, decoded by mockview
  quiet                     speech frames set to -35 dBFS (re a full-scale square wave);
                            the two whispered clips, quieter than that, are made louder

SNR is speech power / noise power: the speech power is the mean square of the clean
recording's speech frames, found by energy on the clean file alone (20 ms frames within 30 dB
of its 95th-percentile frame and at least 6 dB above its 10th-percentile frame), the noise
power the mean square of the whole noise signal; the noise is scaled to the SNR. Reverb and
phone keep the speech level; a mix that would clip is scaled down as a whole.

Scores per condition, for mockview and the peer:

  filled-pause P / R   as bench/eval_fillers.py scores them, with its functions: the 52 MFA
                       utterances with a reference and the monologue, matched by count per
                       clip; fluent clips count, so an invented filler is a false positive
  fluent flags         fillers and discourse markers that the analysis reports on the seven
                       fluent read recordings (JFK, LibriSpeech, five LibriVox sentences):
                       every one is false. For the peer, the fillers it would cut there
  long pauses          the monologue's gaps of long_pause_s (1.0 s) or more between the words
                       of its TextGrid, found when a reported long pause has both ends within
                       150 ms; "+N" counts reported long pauses that match none
  monologue WPM error  words per minute against the TextGrid's (its words over the time from
                       the first word's start to the last word's end, as tests/test_quality.py)
  WER                  word error rate over every recording with a reference text (the MFA
                       utterances, the monologue and the fluent recordings): substitutions,
                       deletions and insertions over the reference's words, filled pauses
                       left out on both sides (the columns above score them), cut-off words
                       and [laughter] out of the reference, a hesitated <hes-x> read as x,
                       case, punctuation and hyphens ignored. A chunk the model loses (a
                       decode caught in a loop, dropped whole) shows here as deletions

The LibriSpeech TextGrid holds one interval spanning the whole file, not word times, so it
gives no speaking time to score pace against. The AMI clip and mfa_a have no filler
reference: they are transcribed (their findings are in the JSON) but not scored.

The peer is erm 0.4.0 (bench/peer_erm.py), on the same bundled model, skipped with a reason
when it is not installed in the running Python. erm reports neither pauses nor pace.
On this 2-core machine a condition takes mockview about a minute and erm about two (it
loads the model for every file); all ten with the peer, about 35 minutes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import degrade  # noqa: E402
import peer_erm  # noqa: E402
from eval_fillers import (  # noqa: E402
    FLUENT,
    clips,
    found_count,
    match_counts,
    precision_recall,
    reference_count,
)

from mockview.analysis import AnalysisSettings, analyze_answer  # noqa: E402
from mockview.speech.audio import load_audio  # noqa: E402
from mockview.speech.transcription import (  # noqa: E402
    TranscriptionSettings,
    is_filled_pause,
    resolve_model,
    transcribe_file,
)

MONOLOGUE = "mfa-monologue/acoustic_corpus.wav"
MFA_UTTERANCES = "mfa-utterances"
#: talkers for babble: speakers other than the MFA speaker, with no filler in their reference
BABBLE_SOURCES = [*FLUENT, "ami-meeting/ES2011a.Headset-0-40s-46s.wav"]
BABBLE_TALKERS = 3
PAUSE_TOLERANCE_S = 0.15


# --- conditions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    """What a condition may draw on for one recording: its seeded random numbers, and other
    talkers for babble (``talkers(n)``: n recordings other than this one)."""

    rng: np.random.Generator
    talkers: Callable[[int], list[np.ndarray]]


@dataclass(frozen=True)
class Condition:
    """One way of recording. ``degrade`` None: the file as it is; ``codec``: the result is
    written through that lossy codec (bench/degrade.py's CODECS) instead of as a WAV."""

    name: str
    about: str
    degrade: Callable[[np.ndarray, Scene], np.ndarray] | None = None
    codec: str | None = None


def _steady(snr_db: float) -> Callable[[np.ndarray, Scene], np.ndarray]:
    return lambda audio, scene: degrade.add_noise(
        audio, degrade.steady_noise(audio.size, rng=scene.rng), snr_db=snr_db)


def _babble(snr_db: float) -> Callable[[np.ndarray, Scene], np.ndarray]:
    return lambda audio, scene: degrade.add_noise(
        audio, degrade.babble(scene.talkers(BABBLE_TALKERS), audio.size, rng=scene.rng),
        snr_db=snr_db)


CONDITIONS = [
    Condition("recorded", "as recorded"),
    Condition("noise-20db", "pink noise + 100 Hz hum, 20 dB SNR", _steady(20)),
    Condition("noise-10db", "pink noise + 100 Hz hum, 10 dB SNR", _steady(10)),
    Condition("babble-20db", "3 other talkers, 20 dB SNR", _babble(20)),
    Condition("babble-10db", "3 other talkers, 10 dB SNR", _babble(10)),
    Condition("reverb", "room, RT60 0.5 s",
              lambda audio, scene: degrade.reverberate(audio, rt60_s=0.5, rng=scene.rng)),
    Condition("phone", "8 kHz, 300-3400 Hz", lambda audio, scene: degrade.telephone(audio)),
    Condition("mp3-32k", "MP3 32 kbps", lambda audio, scene: audio, codec="mp3"),
    Condition("opus-32k", "Opus 32 kbps", lambda audio, scene: audio, codec="opus"),
    Condition("quiet", "speech at -35 dBFS",
              lambda audio, scene: degrade.set_speech_level(audio, level_dbfs=-35.0)),
    Condition("laptop", "small room (RT60 0.3 s), noise 15 dB SNR, gain 6 dB too high",
              lambda audio, scene: degrade.overdriven(_steady(15)(
                  degrade.reverberate(audio, rt60_s=0.3, rng=scene.rng), scene), over_db=6.0)),
]
BY_NAME = {condition.name: condition for condition in CONDITIONS}


@cache
def _clean(path: Path) -> np.ndarray:
    """A recording as mockview decodes it (16 kHz mono), decoded once per run."""
    return load_audio(path).astype(np.float64)


def recording_under(condition: Condition, path: Path, *, dev: Path, out_dir: Path,
                    seed: int) -> Path:
    """The file a user would have recorded ``path`` as, under ``condition``."""
    if condition.degrade is None:
        return path
    name = str(path.relative_to(dev))
    rng = np.random.default_rng([seed, zlib.crc32(condition.name.encode()),
                                 zlib.crc32(name.encode())])

    def talkers(count: int) -> list[np.ndarray]:
        others = [source for source in BABBLE_SOURCES if source != name]
        chosen = rng.choice(len(others), size=count, replace=False)
        return [_clean(dev / others[i]) for i in chosen]

    audio = condition.degrade(_clean(path), Scene(rng=rng, talkers=talkers))
    return degrade.write_recording(out_dir / path.stem, audio, codec=condition.codec)


# --- the systems ------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What one system said about one recording. None: the system does not report it."""

    text: str
    filled_pauses: int
    fillers: tuple[str, ...]  # every filler it reports, "text@start_s"
    pauses: tuple[tuple[float, float], ...] | None = None
    long_pauses: tuple[tuple[float, float], ...] | None = None
    words_per_minute: float | None = None


#: how mockview transcribes (``--beam-size`` changes it, to compare decoding settings)
SETTINGS = TranscriptionSettings()


def mockview_finding(path: Path) -> Finding:
    """``mockview analyze`` on one file: filled pauses counted in the transcript as
    bench/eval_fillers.py counts them; fillers, pauses and pace from the analysis."""
    transcript = transcribe_file(path, settings=SETTINGS)
    analysis = analyze_answer(transcript)
    return Finding(
        text=transcript.text,
        filled_pauses=found_count(transcript),
        fillers=tuple(f"{item.text}@{item.start_s:.2f}" for item in analysis.fillers.items),
        pauses=tuple((p.start_s, p.end_s) for p in analysis.pauses.items),
        long_pauses=tuple((p.start_s, p.end_s) for p in analysis.pauses.items if p.long),
        words_per_minute=analysis.pace.words_per_minute,
    )


def peer_finding(path: Path) -> Finding:
    found = peer_erm.find_fillers(path, model_dir=resolve_model())
    return Finding(text=found.text, filled_pauses=len(found.fillers), fillers=found.fillers)


SYSTEMS: dict[str, Callable[[Path], Finding]] = {"mockview": mockview_finding,
                                                 peer_erm.NAME: peer_finding}


# --- references -------------------------------------------------------------------------


def textgrid_words(path: Path, *, tier: str = "words") -> list[tuple[float, float, str]]:
    """(start_s, end_s, word) of the labelled intervals of an interval tier of a Praat
    TextGrid written one value per line, as the Montreal Forced Aligner writes them."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    for i in range(len(lines) - 1):
        if lines[i] == '"IntervalTier"' and lines[i + 1] == f'"{tier}"':
            count, first = int(lines[i + 4]), i + 5
            values = lines[first : first + 3 * count]
            intervals = zip(values[0::3], values[1::3], values[2::3], strict=True)
            return [(float(start), float(end), label.strip('"'))
                    for start, end, label in intervals if label.strip('"')]
    raise ValueError(f"{path} has no interval tier named {tier!r}")


@dataclass(frozen=True)
class References:
    """What the scores are measured against."""

    expected_fillers: dict[str, int]  # recording -> filled pauses in its reference
    fluent: tuple[str, ...]
    pauses: tuple[tuple[float, float], ...]  # the monologue's gaps of min_pause_ms or more
    long_pauses: tuple[tuple[float, float], ...]
    words_per_minute: float
    words: dict[str, list[str]] = field(default_factory=dict)  # recording -> its words


def load_references(dev: Path, *, settings: AnalysisSettings | None = None) -> References:
    settings = settings or AnalysisSettings()
    words = textgrid_words((dev / MONOLOGUE).with_suffix(".TextGrid"))
    gaps = [(a[1], b[0]) for a, b in pairwise(words)]

    def at_least(seconds: float) -> tuple[tuple[float, float], ...]:
        # 1e-6: a 1.0 s gap read as 0.9999999 is long (as the analysis rounds it)
        return tuple(g for g in gaps if g[1] - g[0] + 1e-6 >= seconds)

    return References(
        expected_fillers={str(path.relative_to(dev)): reference_count(text)
                          for path, text in clips(dev)},
        fluent=tuple(FLUENT),
        pauses=at_least(settings.min_pause_ms / 1000),
        long_pauses=at_least(settings.long_pause_s),
        words_per_minute=len(words) / (words[-1][1] - words[0][0]) * 60,
        words={name: comparable_words(text, reference=True)
               for name, text in reference_texts(dev).items()},
    )


def reference_texts(dev: Path) -> dict[str, str]:
    """Recording -> its verbatim reference text, for every recording that has one."""
    texts = {str(path.relative_to(dev)): text for path, text in clips(dev)}
    for name in FLUENT:
        path = dev / name
        text_file = next(path.with_suffix(suffix) for suffix in (".txt", ".lab")
                         if path.with_suffix(suffix).exists())
        texts[name] = text_file.read_text()
    return texts


def comparable_words(text: str, *, reference: bool = False) -> list[str]:
    """The words of ``text`` as the word error rate compares them: lower case, without
    punctuation or hyphens, filled pauses left out; in a reference, cut-off words and
    bracketed events left out and a hesitated word (<hes-x>) read as the word."""
    text = text.lower()
    if reference:
        text = re.sub(r"<hes-([a-z']+)>", r"\1", text)
        text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text)
    words = re.findall(r"[a-z0-9']+", text.replace("-", " "))
    # "'er" (her) is a word, not a filler, as bench/eval_fillers.py counts it
    return [word for word in words if not (word.isalpha() and is_filled_pause(word))]


def word_edits(reference: list[str], hypothesis: list[str]) -> int:
    """The fewest substitutions, deletions and insertions that turn ``reference`` into
    ``hypothesis`` (Levenshtein distance over words)."""
    previous = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, 1):
        current = [i]
        for j, other in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]


def recordings(dev: Path, *, limit: int | None) -> list[Path]:
    """Every dev recording: the monologue and the fluent ones first, then the MFA
    utterances by name, of which ``limit`` keeps the first N."""
    every = sorted(p for p in dev.glob("*/*") if p.suffix in (".wav", ".flac"))
    utterances = [p for p in every if p.parent.name == MFA_UTTERANCES]
    rest = [p for p in every if p.parent.name != MFA_UTTERANCES]
    rest.sort(key=lambda p: str(p.relative_to(dev)) != MONOLOGUE)
    return rest + utterances[:limit]


# --- scoring ----------------------------------------------------------------------------


def match_pauses(reference, found, *, tolerance_s: float = PAUSE_TOLERANCE_S):
    """(how many reference pauses were found, the found pauses that match none): a found
    pause matches a reference pause when both of its ends are within ``tolerance_s``; each
    found pause matches at most one."""
    unused = list(found)
    matched = 0
    for start, end in reference:
        hit = next((p for p in unused
                    if abs(p[0] - start) <= tolerance_s and abs(p[1] - end) <= tolerance_s),
                   None)
        if hit is not None:
            unused.remove(hit)
            matched += 1
    return matched, unused


@dataclass
class Score:
    """One system under one condition."""

    clips: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    precision: float = 0.0
    recall: float = 0.0
    invented: dict[str, int] = field(default_factory=dict)  # recording -> extra fillers
    missed: dict[str, int] = field(default_factory=dict)
    fluent_flags: list[str] = field(default_factory=list)  # "recording: filler@start_s"
    long_pauses: dict | None = None
    pauses: dict | None = None
    words_per_minute: dict | None = None
    word_errors: int = 0
    reference_words: int = 0
    word_error_rate: float = 0.0
    seconds: float = 0.0


def score(findings: dict[str, Finding], refs: References) -> Score:
    result = Score()
    for name, expected in refs.expected_fillers.items():
        if name not in findings:  # left out by --limit
            continue
        found = findings[name].filled_pauses
        tp, fp, fn = match_counts(found, expected)
        result.clips += 1
        result.true_positives += tp
        result.false_positives += fp
        result.false_negatives += fn
        if fp:
            result.invented[name] = fp
        if fn:
            result.missed[name] = fn
    result.precision, result.recall = precision_recall(
        result.true_positives, result.false_positives, result.false_negatives)
    result.fluent_flags = [f"{name}: {filler}" for name in refs.fluent if name in findings
                           for filler in findings[name].fillers]
    for name, reference in refs.words.items():
        if name in findings:
            result.word_errors += word_edits(reference, comparable_words(findings[name].text))
            result.reference_words += len(reference)
    result.word_error_rate = round(result.word_errors / max(1, result.reference_words), 3)
    monologue = findings.get(MONOLOGUE)
    if monologue is not None and monologue.pauses is not None:
        result.long_pauses = _pause_score(refs.long_pauses, monologue.long_pauses)
        result.pauses = _pause_score(refs.pauses, monologue.pauses)
    if monologue is not None and monologue.words_per_minute is not None:
        measured = monologue.words_per_minute
        result.words_per_minute = {
            "reference": round(refs.words_per_minute, 1), "measured": round(measured, 1),
            "error_percent": round((measured - refs.words_per_minute)
                                   / refs.words_per_minute * 100, 1)}
    return result


def _pause_score(reference, found) -> dict:
    matched, unmatched = match_pauses(reference, found)
    return {"reference": len(reference), "matched": matched, "found": len(found),
            "unmatched_found": [[round(s, 2), round(e, 2)] for s, e in unmatched]}


# --- running ----------------------------------------------------------------------------


def evaluate(conditions: list[Condition], paths: list[Path], systems: list[str], *,
             dev: Path, refs: References, seed: int) -> dict:
    """Every system on every recording under every condition; the scores and findings."""
    out: dict = {}
    with TemporaryDirectory(prefix="mockview-robustness-") as tmp:
        for number, condition in enumerate(conditions, 1):
            findings = {system: {} for system in systems}
            seconds = dict.fromkeys(systems, 0.0)
            for path in paths:
                recorded = recording_under(condition, path, dev=dev, out_dir=Path(tmp),
                                           seed=seed)
                for system in systems:
                    started = time.perf_counter()
                    findings[system][str(path.relative_to(dev))] = SYSTEMS[system](recorded)
                    seconds[system] += time.perf_counter() - started
                if recorded != path:
                    recorded.unlink()
            scores = {system: score(findings[system], refs) for system in systems}
            for system in systems:
                scores[system].seconds = round(seconds[system], 1)
            print(f"[{number}/{len(conditions)}] {condition.name}: "
                  + ", ".join(f"{s} {seconds[s]:.0f} s" for s in systems), file=sys.stderr)
            out[condition.name] = {"about": condition.about, "scores": scores,
                                   "findings": findings}
    return out


def to_json(results: dict, meta: dict) -> dict:
    return {**meta, "conditions": {
        name: {"about": run["about"],
               "scores": {s: asdict(v) for s, v in run["scores"].items()},
               "findings": {s: {clip: asdict(f) for clip, f in per_clip.items()}
                            for s, per_clip in run["findings"].items()}}
        for name, run in results.items()}}


# --- the table --------------------------------------------------------------------------

COLUMNS = ("condition", "system", "FP prec", "FP rec", "fluent flags", "long pauses",
           "mono WPM err", "WER", "s")


def table_rows(results: dict) -> list[list[str]]:
    rows = []
    for name, run in results.items():
        for system, s in run["scores"].items():
            long = (f"{s.long_pauses['matched']}/{s.long_pauses['reference']}"
                    + (f" +{len(s.long_pauses['unmatched_found'])}"
                       if s.long_pauses["unmatched_found"] else "")
                    if s.long_pauses else "n/a")
            wpm = (f"{s.words_per_minute['error_percent']:+.1f}%" if s.words_per_minute
                   else "n/a")
            rows.append([name, system, f"{s.precision:.3f}", f"{s.recall:.3f}",
                         str(len(s.fluent_flags)), long, wpm, f"{s.word_error_rate:.3f}",
                         f"{s.seconds:.0f}"])
    return rows


def print_table(results: dict) -> None:
    rows = [list(COLUMNS), *table_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def print_notes(results: dict, *, verbose: bool) -> None:
    """Where each system went wrong, by recording: what a reader needs to listen to."""
    print()
    for name, run in results.items():
        for system, s in run["scores"].items():
            notes = []
            if s.invented:
                notes.append("invented " + ", ".join(f"{_short(c)} +{n}"
                                                     for c, n in s.invented.items()))
            if s.missed:
                notes.append("missed " + ", ".join(f"{_short(c)} -{n}"
                                                   for c, n in s.missed.items()))
            if s.fluent_flags:
                notes.append("on fluent speech " + ", ".join(_short(f) for f in s.fluent_flags))
            if notes:
                print(f"{name} / {system}: " + "; ".join(notes))
            if verbose:
                for clip, finding in run["findings"][system].items():
                    print(f"    {_short(clip):28} {finding.filled_pauses}  {finding.text}")


def _short(text: str) -> str:
    """"mfa-utterances/mfa_um.flac: um@1.20" -> "mfa_um: um@1.20"."""
    name, colon, rest = text.partition(":")
    return Path(name).stem + colon + rest


def main() -> None:
    global SETTINGS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conditions", nargs="+", choices=list(BY_NAME), metavar="NAME",
                        default=list(BY_NAME),
                        help=f"the conditions to run (default: all): {', '.join(BY_NAME)}")
    parser.add_argument("--dev-data", type=Path, default=REPO.parent / "shared/data/dev")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="only the first N MFA utterances (the monologue and the fluent "
                             "recordings are always run)")
    parser.add_argument("--peer", action=argparse.BooleanOptionalAction, default=True,
                        help=f"run {peer_erm.NAME} {peer_erm.VERSION} beside mockview "
                             "(default: yes, when it is installed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--beam-size", type=int, default=SETTINGS.beam_size,
                        help=f"mockview's beam size (default: {SETTINGS.beam_size})")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--save", type=Path, metavar="PATH",
                        help="also write the JSON result to PATH")
    parser.add_argument("--verbose", action="store_true",
                        help="list every recording's transcript under each condition")
    args = parser.parse_args()
    SETTINGS = dataclasses.replace(SETTINGS, beam_size=args.beam_size)

    peer_status = (peer_erm.unavailable() or "ran") if args.peer else "not asked (--no-peer)"
    systems = ["mockview", *([peer_erm.NAME] if peer_status == "ran" else [])]
    if args.peer and peer_status != "ran":
        print(f"{peer_erm.NAME}: not run: {peer_status}", file=sys.stderr)
    refs = load_references(args.dev_data)
    paths = recordings(args.dev_data, limit=args.limit)
    started = time.perf_counter()
    results = evaluate([BY_NAME[name] for name in args.conditions], paths, systems,
                       dev=args.dev_data, refs=refs, seed=args.seed)
    meta = {"recordings": len(paths), "seed": args.seed, "model": resolve_model(),
            "beam_size": SETTINGS.beam_size,
            "peer": {"name": peer_erm.NAME, "version": peer_erm.VERSION,
                     "status": peer_status if peer_status == "ran"
                     else f"not run: {peer_status}"},
            "seconds": round(time.perf_counter() - started, 1)}
    if args.save:
        args.save.write_text(json.dumps(to_json(results, meta), indent=2))
    if args.json:
        print(json.dumps(to_json(results, meta), indent=2))
        return
    print(f"{len(paths)} recordings, seed {args.seed}, {meta['seconds']:.0f} s; "
          f"{peer_erm.NAME} {peer_erm.VERSION}: {meta['peer']['status']}\n")
    print_table(results)
    print_notes(results, verbose=args.verbose)


if __name__ == "__main__":
    main()
