"""Is delivery judged on every dev recording clean enough to judge?

Usage: python bench/eval_snr.py [--dev-data ../shared/data/dev] [--json] [--old]

For every dev recording of 10 s or more: its signal-to-noise ratio as mockview measures it
(the speaking level against the 10th percentile of the frames outside speech), a plain
cross-check (95th against 10th percentile of 50 ms frame levels over the whole file), and
whether delivery was judged, with the reason when it was not (and the pitch's own note when
the answer is too short for the monotone verdict). The bar: every recording whose SNR is
12 dB or better is judged. ``--old`` measures speech as the voice regions
alone (every sound above the room's level, breaths included), as before the speech
detector's regions were used.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mockview.speech.audio import SAMPLE_RATE, load_audio  # noqa: E402
from mockview.speech.delivery import analyze_delivery  # noqa: E402
from mockview.speech.transcription import transcribe_audio  # noqa: E402

MIN_LENGTH_S = 10.0
SUFFIXES = (".wav", ".flac")


def percentile_snr_db(audio) -> float:
    """95th against 10th percentile of 50 ms frame levels: a check that needs no detector."""
    import numpy as np

    frame = SAMPLE_RATE // 20
    frames = audio[: audio.size // frame * frame].reshape(-1, frame)
    levels = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    return float(np.percentile(levels, 95) - np.percentile(levels, 10))


def evaluate(path: Path, *, old: bool) -> dict | None:
    audio = load_audio(path)
    if audio.size < MIN_LENGTH_S * SAMPLE_RATE:
        return None
    transcript = transcribe_audio(audio)
    if old:
        transcript = dataclasses.replace(transcript, detected_speech=None)
    result = analyze_delivery(audio, transcript)
    return {
        "file": str(path.relative_to(path.parents[1])),
        "duration_s": round(audio.size / SAMPLE_RATE, 1),
        "snr_db": result.volume.snr_db and round(result.volume.snr_db, 1),
        "percentile_snr_db": round(percentile_snr_db(audio), 1),
        "judged": result.judged,
        "note": result.note,
        "pitch_note": result.pitch.note,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-data", type=Path, default=REPO.parent / "shared/data/dev")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--old", action="store_true",
                        help="speech as the voice regions alone (the rule before)")
    args = parser.parse_args()
    files = sorted(p for p in args.dev_data.rglob("*") if p.suffix in SUFFIXES)
    rows = [row for row in (evaluate(p, old=args.old) for p in files) if row]
    missed = [r for r in rows if r["snr_db"] is not None and r["snr_db"] >= 12
              and not r["judged"]]
    if args.json:
        print(json.dumps({"rows": rows, "judged_below_bar": len(missed)}, indent=2))
    else:
        for r in rows:
            print(f"{r['file']:<55} {r['duration_s']:>5.1f} s  SNR {r['snr_db']!s:>5} dB"
                  f"  (percentiles {r['percentile_snr_db']:>5.1f})  "
                  f"{'judged' if r['judged'] else 'not judged: ' + r['note']}"
                  + (f" ({r['pitch_note']})" if r["pitch_note"] else ""))
        print(f"{len(rows)} recordings of {MIN_LENGTH_S:g} s or more; "
              f"{sum(r['judged'] for r in rows)} judged; "
              f"{len(missed)} at 12 dB or better not judged")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
