"""Filled-pause precision and recall of mockview's transcription on the dev recordings.

Usage: python bench/eval_fillers.py [--dev-data ../shared/data/dev] [--json] [--verbose]
                                    [--beam-size N] [--joined SECONDS] [--fillers-from-audio]

The references in the dev set have no word times, so matching is by count per clip:
a clip with 3 reference fillers and 4 found scores 3 true positives and 1 false positive.
Every clip counts, fluent ones included, so a filler invented on fluent speech is a
false positive. Reference fillers are the filled pauses of METRICS.md (um, uh, er, ah,
hm and their spellings); "'er" (her) is not one.

``--joined SECONDS`` joins the clips, in the same order, into answers of about that length
(0.5 s of silence between clips; the fluent ones into answers of their own) and scores
each answer against its clips' references together: most dev clips fit in one chunk of
transcription, so how a long answer is cut into chunks and decoded shows only there.
Matching stays by count, per answer: a miss and an invention in one answer cancel, so
compare the texts too (``--verbose``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mockview.speech.transcription import (  # noqa: E402
    TranscriptionSettings,
    is_filled_pause,
    transcribe_file,
)

FLUENT = ["jfk/jfk.flac", "librispeech/61-70968-0000.flac"] + [
    f"librivox-austen/sense_and_sensibility_01_austen_64kb-{n}.wav"
    for n in ("0870", "0880", "0890", "0920", "0930")
]


def reference_count(text: str) -> int:
    # "'er" (her) is a word, not a filler: only bare tokens can be fillers
    tokens = re.findall(r"[a-z<>\-']+", text.lower())
    return sum(1 for token in tokens if token.isalpha() and is_filled_pause(token))


def found_count(transcript) -> int:
    """Filled pauses among a transcript's words, by the analysis's rules."""
    return sum(1 for w in transcript.words if is_filled_pause(w.text))


def match_counts(found: int, expected: int) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of one clip, matched by count."""
    return min(found, expected), max(0, found - expected), max(0, expected - found)


def precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    """Precision and recall, rounded as reported; 0 when there is nothing to divide."""
    return round(tp / max(1, tp + fp), 3), round(tp / max(1, tp + fn), 3)


def clips(dev: Path) -> list[tuple[Path, str]]:
    refs = json.loads((dev / "mfa-utterances/reference_transcripts.json").read_text())
    # a reference without its recording (mfa_thea) is skipped
    out = [(dev / "mfa-utterances" / f"{name}.flac", text) for name, text in sorted(refs.items())
           if (dev / "mfa-utterances" / f"{name}.flac").exists()]
    out.append((dev / "mfa-monologue/acoustic_corpus.wav",
                (dev / "mfa-monologue/acoustic_corpus.lab").read_text()))
    return out


def joined(items: list[tuple[Path, str]], seconds: float, folder: Path
           ) -> list[tuple[Path, str]]:
    """``items`` (recording, reference) joined into WAV answers of about ``seconds`` each."""
    import numpy as np
    import soundfile

    from mockview.speech.audio import SAMPLE_RATE, load_audio

    gap = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    answers, audio, texts = [], [], []
    for number, (path, reference) in enumerate(items):
        audio += [load_audio(path), gap]
        texts.append(reference)
        if sum(a.size for a in audio) >= seconds * SAMPLE_RATE or number == len(items) - 1:
            out = folder / f"joined_{len(answers):02d}_{path.stem}.wav"
            soundfile.write(out, np.concatenate(audio), SAMPLE_RATE, subtype="PCM_16")
            answers.append((out, " ".join(texts)))
            audio, texts = [], []
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-data", type=Path, default=REPO.parent / "shared/data/dev")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--beam-size", type=int, default=TranscriptionSettings().beam_size)
    parser.add_argument("--fillers-from-audio", action="store_true",
                        help="also add the fillers found in the audio (mockview.speech.hidden)")
    parser.add_argument("--joined", type=float, metavar="SECONDS",
                        help="score answers of about SECONDS joined from the clips")
    args = parser.parse_args()

    settings = replace(TranscriptionSettings(), beam_size=args.beam_size,
                       fillers_from_audio=args.fillers_from_audio)
    with tempfile.TemporaryDirectory() as folder:
        result, rows = evaluate(args, settings, Path(folder))
    if args.json:
        print(json.dumps({"summary": result, "clips": rows}, indent=2))
        return
    for row in rows:
        if args.verbose or row["found"] != row["expected"]:
            counts = f"expected {row['expected']} found {row['found']}"
            print(f"{row['clip']:32} {counts}: {row['text']}")
            if args.verbose:
                for line in row["dropped"]:
                    print(f"{'':34}dropped {line}")
    for key, value in result.items():
        print(f"{key}: {value}")


def evaluate(args, settings: TranscriptionSettings, folder: Path) -> tuple[dict, list[dict]]:
    items = clips(args.dev_data)
    fluent = [(args.dev_data / name, "") for name in FLUENT]
    if args.joined:
        items = joined(items, args.joined, folder)
        fluent = joined(fluent, args.joined, folder)
    tp = fp = fn = 0
    rows = []
    started = time.perf_counter()
    for path, reference in items:
        transcript = transcribe_file(path, settings=settings)
        found = found_count(transcript)
        expected = reference_count(reference)
        clip_tp, clip_fp, clip_fn = match_counts(found, expected)
        tp, fp, fn = tp + clip_tp, fp + clip_fp, fn + clip_fn
        rows.append({"clip": path.name, "expected": expected, "found": found,
                     "text": transcript.text,
                     "dropped": [f"{d.word.text}@{d.word.start_s}: {d.reason}"
                                 for d in transcript.dropped]})
    fluent_fillers = []
    for path, _ in fluent:
        transcript = transcribe_file(path, settings=settings)
        fluent_fillers += [(path.name, w.text) for w in transcript.words
                           if is_filled_pause(w.text)]
    precision, recall = precision_recall(tp, fp, fn)
    result = {
        "clips": len(rows),
        "reference_fillers": tp + fn,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "precision": precision,
        "recall": recall,
        "fillers_on_fluent_speech": fluent_fillers,
        "seconds": round(time.perf_counter() - started, 1),
    }
    return result, rows


if __name__ == "__main__":
    main()
