"""Delivery from the audio: pitch variation (monotone), uptalk, and volume (fades, quiet stretches).

The analysis package reads only the word timeline; how something was *said* needs the
samples, so this lives beside it: a 16 kHz mono array and its :class:`Transcript` in,
frozen dataclasses out, no files or devices. numpy and scipy are imported inside the
functions, so importing this module costs nothing on the CLI's start-up path.

    >>> analyze_delivery(audio, transcript).to_dict()     # doctest: +SKIP
    {"judged": True, "note": None, "pitch": {...}, "uptalk": {...}, "volume": {...}, ...}

Every finding comes with its times, its words and a suggestion. Where the recording itself
cannot be trusted (no speech, a very quiet or noisy recording) the result says
``judged: False`` with a note instead of verdicts. Otherwise each measure asks for its own
evidence: a sentence ending is measured when its last word holds enough voiced pitch, however
short the answer, while the monotone verdict needs 10 s of speech (pitch varies less over a
few seconds than over the 10 s windows it is judged by) and says why when it has less. All
thresholds are in :class:`DeliverySettings`; they are heuristics (see METRICS.md,
"Delivery (voice)").

Cost (``bench/bench_delivery.py``): pitch is tracked only inside the speech regions, at a
10 ms hop on 40 ms frames, by a YIN written in numpy; levels come from one cumulative sum
over the whole answer. Nothing is compiled on first use, so the first analysis after an
install costs what later ones do (``bench/bench_first_run.py``). librosa, and the numba
code it compiles on first use, is imported only for ``accurate_pitch`` (pyin). Importing
scipy's filters costs about 1 s once per process: :func:`preload` lets a caller pay it
while the CPU idles (during a recording).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from mockview import numbers
from mockview.analysis.feedback import FeedbackItem
from mockview.analysis.pauses import speaking_regions
from mockview.analysis.text import (
    Evidence,
    Token,
    clean_words,
    clock,
    list_times,
    r_rate,
    r_ratio,
    r_time,
    sentences,
    tokenize,
)
from mockview.errors import AnalysisError
from mockview.speech.audio import SAMPLE_RATE, merge_regions
from mockview.words import Transcript, join_words

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DeliveryResult",
    "DeliverySettings",
    "Fade",
    "FlatStretch",
    "PitchMetrics",
    "PitchWindow",
    "QuietStretch",
    "Uptalk",
    "UptalkMetrics",
    "VolumeMetrics",
    "analyze_delivery",
    "delivery_tips",
    "preload",
]

logger = logging.getLogger("mockview")

#: closing quotes and brackets that may follow a sentence's full stop
_CLOSERS = "\"')]}\u201d\u2019"


@dataclass(frozen=True)
class DeliverySettings:
    """Thresholds of the delivery analysis, with units in the names and their sources.

    Change one with ``dataclasses.replace(DeliverySettings(), monotone_semitones=1.5)``.
    """

    # Framing. 40 ms holds 2.6 periods of the lowest pitch (YIN wants 2); a
    # 10 ms hop gives 30 frames over uptalk's 300 ms.
    frame_ms: int = 40
    hop_ms: int = 10

    #: rumble (handling, wind, a drifting offset) below the voice is removed first: it can
    #: be louder than the speech and would pass for level, and for noise between phrases
    highpass_hz: float = 60.0

    # Pitch range of adult speaking voices: low male voices reach about 65 Hz, lively
    # female speech about 400 Hz.
    fmin_hz: float = 65.0
    fmax_hz: float = 400.0
    #: yin returns a period for every frame, noise and breath included. A frame is voiced
    #: when the signal one period later correlates with it at least this much (voiced
    #: speech: 0.7-1.0; noise: under 0.2).
    min_periodicity: float = 0.5
    #: frames this far below the answer's median speaking level are breath or room, not voice
    voiced_max_below_level_db: float = 25.0
    #: voiced runs shorter than this are too short to trust (clicks, yin's stray picks)
    min_voiced_run_ms: int = 50
    #: pitch this far from the speaker's median is an octave error of the tracker, not
    #: intonation (an octave is 12 semitones)
    octave_error_semitones: float = 10.0

    # Monotone: pitch variation (std in semitones) over 10 s windows under about 2
    # semitones (METRICS.md; Hincks 2005 found normalized pitch variation over 10 s windows
    # predicts perceived liveliness; the threshold is a heuristic).
    pitch_window_s: float = 10.0
    pitch_hop_s: float = 5.0
    #: a window with less voiced pitch than this is not measured
    min_window_voiced_s: float = 2.0
    monotone_semitones: float = 2.0

    # Uptalk: a rise of more than about 4 semitones over the last 300 ms of a statement
    # (METRICS.md; heuristic).
    uptalk_tail_s: float = 0.3
    uptalk_rise_semitones: float = 4.0
    #: a sentence's ending (the uptalk tail, the last word for fades) needs this much
    #: voiced pitch to be measured: in a rough or creaky voice only scraps of the last word
    #: are voiced, often its quiet end, which would pass for a fade
    ending_min_voiced_s: float = 0.1
    #: word end times are approximate (20 ms steps, sometimes late): look this far past them
    word_end_slack_s: float = 0.1
    #: a last word longer than this has a timestamp that swallowed a silence (4.9 s "words"
    #: have been seen), so its sentence's ending is not measured
    max_word_s: float = 1.5

    # Volume (heuristics): a sentence fades when its last word is this far below the rest
    # of the sentence; a quiet stretch is speech this far below the answer's median
    # level for at least ``quiet_min_s``.
    level_block_s: float = 0.5
    fade_db: float = 6.0
    quiet_below_median_db: float = 10.0
    quiet_min_s: float = 3.0
    #: quiet blocks separated by pauses up to this long belong to one stretch
    quiet_bridge_s: float = 1.0

    # Evidence. Every pitch measure needs ``min_voiced_s`` of voiced pitch (for a reliable
    # median). The monotone verdict also needs a pitch window's worth of speech: over a few
    # seconds pitch varies less than over ten, so a short answer would read as flat. Fades
    # and uptalk are judged per sentence ending, however short the answer.
    min_speech_s: float = 10.0
    min_voiced_s: float = 3.0
    # Evidence: below these, nothing is judged.
    min_level_dbfs: float = -50.0
    #: speech level against the room's (METRICS.md): laptop recordings in a quiet room
    #: measure about 15-25 dB, a cafe 5-10 dB; below 12 dB the pitch tracker follows the
    #: noise as often as the voice
    min_snr_db: float = 12.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) \
                    or not math.isfinite(value):
                raise AnalysisError(
                    f"DeliverySettings.{f.name} is {value!r}: it must be a finite number.")
            if value < 0 and f.name != "min_level_dbfs":
                raise AnalysisError(
                    f"DeliverySettings.{f.name} is {value!r}: it must not be negative.")
        if not 0 < self.fmin_hz < self.fmax_hz <= SAMPLE_RATE / 2:
            raise AnalysisError(
                f"DeliverySettings pitch range {self.fmin_hz:g}-{self.fmax_hz:g} Hz: give"
                f" 0 < fmin_hz < fmax_hz <= {SAMPLE_RATE // 2} (65 and 400 are the defaults).")
        if self.hop_ms <= 0 or self.frame_ms * SAMPLE_RATE / 1000 <= 2 * self.max_period:
            raise AnalysisError(
                f"DeliverySettings frame_ms={self.frame_ms}, hop_ms={self.hop_ms}: the hop"
                " must be above 0 and a frame must hold two periods of fmin_hz"
                f" ({2000 / self.fmin_hz:.0f} ms or more).")
        for name in ("pitch_window_s", "pitch_hop_s", "level_block_s", "uptalk_tail_s"):
            if getattr(self, name) <= 0:
                raise AnalysisError(
                    f"DeliverySettings.{name} is {getattr(self, name)!r}: it must be above 0.")

    @property
    def frame(self) -> int:
        """Frame length in samples."""
        return int(round(self.frame_ms * SAMPLE_RATE / 1000))

    @property
    def hop(self) -> int:
        """Hop length in samples."""
        return int(round(self.hop_ms * SAMPLE_RATE / 1000))

    @property
    def max_period(self) -> int:
        """The longest pitch period searched, in samples."""
        return int(math.ceil(SAMPLE_RATE / self.fmin_hz))


def preload(*, accurate_pitch: bool = False) -> None:
    """Import what :func:`analyze_delivery` needs ahead of it: scipy's filters, and with
    ``accurate_pitch`` librosa's pyin.

    These imports cost a fixed time once per process, whatever the audio's length: about
    1 s for scipy.signal, five times the analysis of a two-minute answer; librosa, with
    numba loading its compiled code, about 1.5 s more. Where the CPU idles, as while
    ``mockview practice`` records an answer, a background thread can take that cost off
    the wait for feedback; beside a transcription it hides some of it
    (``bench/bench_delivery.py --overlap``; ``mockview.report.preload_in_background``).
    """
    import scipy.signal  # noqa: F401

    if accurate_pitch:
        import librosa.core.pitch  # noqa: F401


# --- results ------------------------------------------------------------------------------


def _r_db(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 1)


@dataclass(frozen=True)
class PitchWindow:
    """Pitch variation (std of semitones) over one window; ``voiced_s`` of pitch inside it."""

    start_s: float
    end_s: float
    variation_semitones: float
    voiced_s: float

    def to_dict(self) -> dict:
        return {"start_s": r_time(self.start_s), "end_s": r_time(self.end_s),
                "variation_semitones": r_rate(self.variation_semitones),
                "voiced_s": r_time(self.voiced_s)}


@dataclass(frozen=True)
class FlatStretch:
    """Consecutive windows whose pitch varied less than the monotone threshold.

    ``variation_semitones`` is the largest variation of those windows: the pitch moved no
    more than that in any of them.
    """

    start_s: float
    end_s: float
    variation_semitones: float
    text: str
    suggestion: str

    def to_dict(self) -> dict:
        return {"start_s": r_time(self.start_s), "end_s": r_time(self.end_s),
                "variation_semitones": r_rate(self.variation_semitones),
                "text": self.text, "suggestion": self.suggestion}


@dataclass(frozen=True)
class PitchMetrics:
    """The speaker's pitch: median, variation overall and per window, and the verdict.

    ``method`` is "yin" or "pyin". ``monotone`` is True when the median window varies less
    than the threshold, None when not judged; ``note`` then says why, when the answer was
    too short for the verdict.
    """

    method: str
    median_hz: float | None
    variation_semitones: float | None
    voiced_s: float
    windows: tuple[PitchWindow, ...]
    monotone: bool | None
    flat_stretches: tuple[FlatStretch, ...]
    note: str | None = None

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "median_hz": r_rate(self.median_hz),
            "variation_semitones": r_rate(self.variation_semitones),
            "voiced_s": r_time(self.voiced_s),
            "windows": [w.to_dict() for w in self.windows],
            "monotone": self.monotone,
            "flat_stretches": [s.to_dict() for s in self.flat_stretches],
            "note": self.note,
        }


@dataclass(frozen=True)
class Uptalk:
    """A statement whose pitch rose at its end; the time span is its last ``uptalk_tail_s``."""

    text: str
    start_s: float
    end_s: float
    rise_semitones: float
    suggestion: str

    def to_dict(self) -> dict:
        return {"text": self.text, "start_s": r_time(self.start_s), "end_s": r_time(self.end_s),
                "rise_semitones": r_rate(self.rise_semitones), "suggestion": self.suggestion}


@dataclass(frozen=True)
class UptalkMetrics:
    """Statements (sentences ending in ".") whose ending could be measured, and those that rose.

    ``share`` is ``rising / statements``; None when no statement could be measured.
    """

    statements: int
    rising: int
    share: float | None
    items: tuple[Uptalk, ...]

    def to_dict(self) -> dict:
        return {"statements": self.statements, "rising": self.rising,
                "share": r_ratio(self.share), "items": [u.to_dict() for u in self.items]}


@dataclass(frozen=True)
class Fade:
    """A sentence whose last word was ``drop_db`` below the rest of the sentence.

    The times are the last word's; ``text`` is the end of the sentence.
    """

    text: str
    start_s: float
    end_s: float
    drop_db: float
    suggestion: str

    def to_dict(self) -> dict:
        return {"text": self.text, "start_s": r_time(self.start_s), "end_s": r_time(self.end_s),
                "drop_db": _r_db(self.drop_db), "suggestion": self.suggestion}


@dataclass(frozen=True)
class QuietStretch:
    """Speech at least ``quiet_min_s`` long, ``below_median_db`` under the answer's level."""

    text: str
    start_s: float
    end_s: float
    below_median_db: float
    suggestion: str

    def to_dict(self) -> dict:
        return {"text": self.text, "start_s": r_time(self.start_s), "end_s": r_time(self.end_s),
                "below_median_db": _r_db(self.below_median_db), "suggestion": self.suggestion}


@dataclass(frozen=True)
class VolumeMetrics:
    """Speaking level (RMS, dB relative to full scale) over time, and where it dropped.

    ``levels_dbfs`` holds one level per ``block_s`` from the start of the audio: the RMS of
    the speech in that block, None where nobody speaks. ``median_dbfs`` is their median;
    ``noise_floor_dbfs`` the room between phrases (-100 for digital silence).
    """

    median_dbfs: float | None
    noise_floor_dbfs: float | None
    snr_db: float | None
    block_s: float
    levels_dbfs: tuple[float | None, ...]
    fades: tuple[Fade, ...]
    sentences_measured: int
    quiet_stretches: tuple[QuietStretch, ...]

    def to_dict(self) -> dict:
        return {
            "median_dbfs": _r_db(self.median_dbfs),
            "noise_floor_dbfs": _r_db(self.noise_floor_dbfs),
            "snr_db": _r_db(self.snr_db),
            "block_s": self.block_s,
            "levels_dbfs": [_r_db(v) for v in self.levels_dbfs],
            "fades": [f.to_dict() for f in self.fades],
            "sentences_measured": self.sentences_measured,
            "quiet_stretches": [q.to_dict() for q in self.quiet_stretches],
        }


@dataclass(frozen=True)
class DeliveryResult:
    """Everything the audio says about delivery; ``metrics["delivery"]`` in the report.

    When ``judged`` is False, ``note`` says why, and the verdicts (``monotone``, the uptalk
    share, fades and quiet stretches) are left empty; what could be measured is still there.
    """

    judged: bool
    note: str | None
    speech_s: float  # speaking time, as the report's length states it
    pitch: PitchMetrics
    uptalk: UptalkMetrics
    volume: VolumeMetrics

    @property
    def suggestions(self) -> tuple[tuple[float, str], ...]:
        """(start_s, suggestion) of every finding, in time order."""
        found = [*self.pitch.flat_stretches, *self.uptalk.items, *self.volume.fades,
                 *self.volume.quiet_stretches]
        return tuple(sorted((item.start_s, item.suggestion) for item in found))

    def to_dict(self) -> dict:
        return {
            "judged": self.judged,
            "note": self.note,
            "speech_s": r_time(self.speech_s),
            "pitch": self.pitch.to_dict(),
            "uptalk": self.uptalk.to_dict(),
            "volume": self.volume.to_dict(),
        }


# --- feedback -------------------------------------------------------------------------------

#: delivery readings are heuristics, like the content ones: at most this severity, so a
#: transcript metric at its flag line (severity 1.0) outranks them
MAX_DELIVERY_SEVERITY = 0.8
#: uptalk and fades are tips only when they are a habit: this share of the sentences
#: measured, and at least two of them
HABIT_SHARE = 0.25


def delivery_tips(delivery: DeliveryResult | None) -> tuple[FeedbackItem, ...]:
    """Tips for the delivery findings that need work (none when delivery was not judged),
    each citing its times and words; ranked with the answer's other tips by ``severity``."""
    if delivery is None or not delivery.judged:
        return ()
    tips = [_monotone_tip(delivery.pitch), _uptalk_tip(delivery.uptalk),
            _fading_tip(delivery.volume), _quiet_tip(delivery.volume)]
    return tuple(tip for tip in tips if tip is not None)


def _at(evidence: Sequence[Evidence]) -> str:
    """"0:12, 0:31 and 0:45": when each finding starts."""
    return list_times([e.start_s for e in evidence])


def _severity(fraction: float, low: float) -> float:
    """From ``low`` at the flag line up to the cap, by ``fraction`` (0-1) past it."""
    return round(low + (MAX_DELIVERY_SEVERITY - low) * min(1.0, max(0.0, fraction)), 2)


def _monotone_tip(pitch: PitchMetrics) -> FeedbackItem | None:
    if not pitch.monotone or pitch.variation_semitones is None:
        return None
    threshold = DeliverySettings.monotone_semitones
    where = [Evidence(s.text, s.start_s, s.end_s) for s in pitch.flat_stretches]
    stretches = (f" It was flattest at {_at(where)}." if where else "")
    return FeedbackItem(
        "monotone", "Let your voice move",
        f"Your pitch varied by {numbers.semitones(pitch.variation_semitones)}; lively speech"
        " moves "
        f"{threshold:g} or more.{stretches} Lift the word that matters in each sentence, and "
        "let your voice fall at the end of a point. (Measured from the audio: a heuristic.)",
        tuple(where[:3]),
        _severity((threshold - pitch.variation_semitones) / threshold, 0.5))


def _uptalk_tip(uptalk: UptalkMetrics) -> FeedbackItem | None:
    if uptalk.rising < 2 or not uptalk.share or uptalk.share < HABIT_SHARE:
        return None
    where = [Evidence(u.text, u.start_s, u.end_s) for u in uptalk.items]
    return FeedbackItem(
        "uptalk", "End statements going down",
        f"{uptalk.rising} of {uptalk.statements} statements rose at the end, which can sound "
        f"like a question or like doubt (at {_at(where)}). Let the pitch fall on the "
        "last word of a claim. (Measured from the audio: a heuristic.)",
        tuple(where[:3]), _severity(uptalk.share / 0.5, 0.4))


def _fading_tip(volume: VolumeMetrics) -> FeedbackItem | None:
    count, measured = len(volume.fades), volume.sentences_measured
    if count < 2 or not measured or count / measured < HABIT_SHARE:
        return None
    where = [Evidence(f.text, f.start_s, f.end_s) for f in volume.fades]
    return FeedbackItem(
        "fading", "Keep your voice up to the last word",
        f"{count} of {measured} sentences faded at their last word (at {_at(where)}). "
        "Breathe before the end of the sentence and land its last word as clearly as its "
        "first. (Measured from the audio: a heuristic.)",
        tuple(where[:3]), _severity(count / measured / 0.5, 0.3))


def _quiet_tip(volume: VolumeMetrics) -> FeedbackItem | None:
    if not volume.quiet_stretches:
        return None
    where = [Evidence(q.text, q.start_s, q.end_s) for q in volume.quiet_stretches]
    return FeedbackItem(
        "quiet", "Keep an even volume",
        f"Your voice dropped well below its usual level at {_at(where)}. Keep the "
        "microphone at the same distance and speak to the back of the room throughout. "
        "(Measured from the audio: a heuristic.)",
        tuple(where[:3]), 0.45)


# --- the analysis -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frames:
    """Per-frame measurements on one grid: frame k is centred at ``times_s[k]``."""

    times_s: np.ndarray
    level_db: np.ndarray       # mean-square level of the frame, dB re full scale
    in_speech: np.ndarray      # bool: centre inside a speech region
    semitones: np.ndarray      # pitch re the speaker's median; NaN where not voiced

    @property
    def voiced(self) -> np.ndarray:
        import numpy as np

        return ~np.isnan(self.semitones)


def analyze_delivery(
    audio: np.ndarray,
    transcript: Transcript,
    *,
    accurate_pitch: bool = False,
    settings: DeliverySettings = DeliverySettings(),
) -> DeliveryResult:
    """Analyse how an answer was delivered: pitch variation, uptalk, and volume.

    ``audio`` is the answer as a 16 kHz mono float array (:func:`mockview.speech.audio.load_audio`)
    and ``transcript`` its transcript, whose ``speech_regions`` say where to look for a
    voice (word spans are used when it has none). Pitch comes from YIN (numpy only), or
    from the slower ``librosa.pyin`` (about 50 times the cost) when ``accurate_pitch``.
    """
    import numpy as np

    audio = _highpass(_check_audio(audio), settings.highpass_hz)
    method = "pyin" if accurate_pitch else "yin"
    tokens = tokenize(clean_words(transcript.words))
    regions = _speech_regions(transcript, tokens, audio.size / SAMPLE_RATE)
    speech_s = _speaking_s(transcript, tokens)
    times, level_db = _frame_levels(audio, settings)
    in_speech = _inside(times, regions)

    levels = _block_levels(times, level_db, in_speech, audio.size / SAMPLE_RATE, settings)
    spoken = [v for v in levels if v is not None]
    median_dbfs = noise_db = snr_db = None
    if not spoken:
        note = "No speech was found, so delivery was not judged."
    else:
        median_dbfs = float(np.median(spoken))
        noise_db = _noise_floor(level_db, in_speech)
        snr_db = _snr_db(level_db, in_speech, noise_db)
        note = _evidence_note(median_dbfs, snr_db, settings)

    semitones = np.full(times.size, np.nan)
    median_hz = None
    if note is None:  # pitch tracking is most of the cost: only when it can be judged
        f0 = _pitch_track(audio, times.size, regions, accurate=accurate_pitch,
                          settings=settings)
        # voice is only where the speech detector heard it, and loud enough to be the speaker
        f0[~in_speech | (level_db < median_dbfs - settings.voiced_max_below_level_db)] = np.nan
        median_hz, semitones = _semitones(f0, settings)
    frames = _Frames(times, level_db, in_speech, semitones)
    hop_s = settings.hop / SAMPLE_RATE
    voiced_s = float(frames.voiced.sum()) * hop_s
    judged = note is None

    pitch = _pitch_metrics(frames, tokens, method, median_hz, speech_s, voiced_s, judged,
                           settings)
    pitched = judged and voiced_s >= settings.min_voiced_s
    uptalk = _uptalk(frames, tokens, settings) if pitched else UptalkMetrics(0, 0, None, ())
    fades, measured = _fades(frames, tokens, settings) if judged else ((), 0)
    quiet = _quiet_stretches(levels, median_dbfs, tokens, settings) if judged else ()
    volume = VolumeMetrics(median_dbfs, noise_db, snr_db, settings.level_block_s,
                           levels, fades, measured, quiet)
    return DeliveryResult(judged, note, speech_s, pitch, uptalk, volume)


def _check_audio(audio) -> np.ndarray:
    """Mono float32 samples in [-1, 1]; integer PCM is scaled, NaN and inf become silence."""
    import numpy as np

    array = np.asarray(audio)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.number):
        raise AnalysisError(
            f"Delivery analysis needs mono audio as a 1-D array of samples, got shape"
            f" {array.shape} of {array.dtype}. Load it with mockview.speech.audio.load_audio.")
    if np.issubdtype(array.dtype, np.integer):  # levels are relative to full scale
        return (array / -float(np.iinfo(array.dtype).min)).astype(np.float32)
    return np.nan_to_num(array.astype(np.float32, copy=False), nan=0.0, posinf=0.0, neginf=0.0)


def _highpass(audio: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """``audio`` without what lies below ``cutoff_hz`` (2nd-order Butterworth; 0 turns it off)."""
    import numpy as np
    from scipy.signal import butter, sosfilt

    if cutoff_hz <= 0 or audio.size == 0:
        return audio
    sos = butter(2, cutoff_hz, btype="highpass", fs=SAMPLE_RATE, output="sos")
    return sosfilt(sos, audio).astype(np.float32)


def _speaking_s(transcript: Transcript, tokens: Sequence[Token]) -> float:
    """The answer's speaking time exactly as its report's length states it
    (``analysis.answer``): the words' span without its pauses, found from the same regions
    by the same rule, so a note on too little speech cites the number the report shows."""
    from mockview.analysis.pauses import clean_regions, find_gaps
    from mockview.analysis.settings import AnalysisSettings

    if not tokens:
        return 0.0
    regions = clean_regions(transcript.speech_regions or ())
    if regions and transcript.detected_speech is not None:
        regions = speaking_regions(regions, transcript.detected_speech, tokens)
    gaps = find_gaps(tokens, regions, min_pause_s=AnalysisSettings().min_pause_s)
    span = max(t.end_s for t in tokens) - tokens[0].start_s
    return max(0.0, span - sum(g.duration_s for g in gaps))


def _speech_regions(transcript: Transcript, tokens: Sequence[Token],
                    duration_s: float) -> list[tuple[float, float]]:
    """Where to look for a voice: the transcript's speech (its voice regions without the
    breaths and room noise between words, when the speech detector's regions are known),
    else its words' spans. What lies outside is the room, whose level is the noise floor."""
    spans = list(transcript.speech_regions)
    if spans and transcript.detected_speech is not None:
        spans = speaking_regions(spans, transcript.detected_speech, tokens)
    spans = spans or [(t.start_s, t.end_s) for t in tokens]
    spans = [(max(0.0, float(s)), min(duration_s, float(e))) for s, e in spans
             if math.isfinite(s) and math.isfinite(e)]
    return [(s, e) for s, e in merge_regions(spans) if e > s]


def _frame_levels(audio: np.ndarray, settings: DeliverySettings):
    """Frame centres (s) and mean-square levels (dB re full scale) on the analysis grid.

    One cumulative sum gives every frame's energy, so levels cost almost nothing.
    """
    import numpy as np

    frame, hop = settings.frame, settings.hop
    count = max(0, 1 + (audio.size - frame) // hop)
    squares = np.concatenate(([0.0], np.cumsum(np.square(audio, dtype=np.float64))))
    starts = np.arange(count) * hop
    mean_square = np.maximum(squares[starts + frame] - squares[starts], 0.0) / frame
    times = (starts + frame / 2) / SAMPLE_RATE
    return times, 10 * np.log10(mean_square + 1e-12)


def _inside(times: np.ndarray, regions: Sequence[tuple[float, float]]) -> np.ndarray:
    import numpy as np

    inside = np.zeros(times.size, dtype=bool)
    for start, end in regions:
        inside[np.searchsorted(times, start):np.searchsorted(times, end, side="right")] = True
    return inside


def _noise_floor(level_db: np.ndarray, in_speech: np.ndarray) -> float:
    """The room's level: the 10th percentile of the frames outside speech (of all frames
    where the recording holds under half a second outside speech), never below digital
    silence (-100 dB). A low percentile, not the mean: the onsets and tails of words that
    the speech spans leave out, and breaths, would raise a mean."""
    import numpy as np

    quiet = level_db[~in_speech]
    if quiet.size < 50:  # under half a second of non-speech
        quiet = level_db
    return float(max(np.percentile(quiet, 10), -100.0))


def _snr_db(level_db: np.ndarray, in_speech: np.ndarray, noise_db: float) -> float:
    """Signal-to-noise ratio (dB): the speech's own power (the energy mean of the speech
    frames, less the noise under it) against the room's. Speech frames hold the noise too,
    so without the subtraction a noisy recording would read a few dB cleaner than it is."""
    import numpy as np

    speech_power = float(np.mean(10 ** (level_db[in_speech] / 10)))
    noise_power = 10 ** (noise_db / 10)
    return float(10 * np.log10(max(speech_power - noise_power, 1e-12) / noise_power))


def _evidence_note(level_dbfs: float, snr_db: float, settings: DeliverySettings) -> str | None:
    """Why delivery cannot be judged from this recording, or None when it can."""
    if level_dbfs < settings.min_level_dbfs:
        return (f"The speech is very quiet ({level_dbfs:.0f} dBFS), so delivery was not"
                " judged: move closer to the microphone or raise its input level.")
    if snr_db < settings.min_snr_db:
        return (f"The speech stands only {snr_db:.0f} dB above the background noise (delivery"
                f" needs {settings.min_snr_db:g} dB; a quiet room gives 15-25), so pitch and"
                " volume were not judged: record somewhere quieter, or nearer the microphone.")
    return None


def _pitch_track(audio: np.ndarray, count: int, regions: Sequence[tuple[float, float]], *,
                 accurate: bool, settings: DeliverySettings) -> np.ndarray:
    """f0 (Hz) per frame of the grid, NaN where not voiced; tracked only inside ``regions``.

    Each region is cut on the frame grid and tracked on its own, so silence costs nothing.
    """
    import numpy as np

    frame, hop = settings.frame, settings.hop
    f0 = np.full(count, np.nan)
    half = frame / 2
    for start, end in merge_regions(regions, min_gap_s=0.3):  # fewer calls, little waste
        first = max(0, math.ceil((start * SAMPLE_RATE - half) / hop))
        last = min(count - 1, math.floor((end * SAMPLE_RATE - half) / hop))
        if last - first < 2:
            continue
        piece = audio[first * hop: last * hop + frame]
        f0[first:last + 1] = (_pyin if accurate else _yin)(piece, settings)
    return _drop_short_runs(f0, max(1, round(settings.min_voiced_run_ms / settings.hop_ms)))


def _yin(piece: np.ndarray, settings: DeliverySettings) -> np.ndarray:
    """:func:`_yin_f0` with its unvoiced frames removed by a periodicity gate."""
    import numpy as np

    f0 = _yin_f0(piece, settings)
    periodicity = _periodicity(piece, f0, settings)
    in_range = (f0 > settings.fmin_hz * 1.01) & (f0 < settings.fmax_hz * 0.99)
    return np.where(in_range & (periodicity >= settings.min_periodicity), f0, np.nan)


#: YIN's absolute threshold on the normalized difference (librosa's default trough_threshold)
_YIN_THRESHOLD = 0.1
#: frames per block in :func:`_yin_f0`, which bounds its memory (about 40 MB) on long answers
_YIN_BLOCK_FRAMES = 1000


def _yin_f0(piece: np.ndarray, settings: DeliverySettings) -> np.ndarray:
    """f0 (Hz) of every frame of ``piece`` by YIN (de Cheveigné and Kawahara 2002), in numpy.

    Frames start every ``settings.hop`` samples and hold ``settings.frame`` (no padding, as
    ``librosa.yin(..., center=False)``). Each frame is compared with itself shifted by
    every lag tau, zeros past its end: the difference d(tau), the sum of squared
    differences, is its energy plus the energy from sample tau on, less twice its
    autocorrelation at tau (computed by FFT). d is normalized by its running mean, and the
    period is the first trough under ``_YIN_THRESHOLD`` between 1/fmax and 1/fmin (else
    the lowest point there), refined by a parabola through it and its neighbours. Noise
    gets a period too: :func:`_periodicity` is the gate.

    Written here rather than called from librosa: ``librosa.yin``, which computes the
    same, runs numba code that is compiled on its first use after an install (some 10 s
    on the first ``mockview analyze``); this needs numpy alone and compiles nothing.
    """
    import numpy as np

    shortest = int(SAMPLE_RATE // settings.fmax_hz)
    longest = settings.max_period
    size = 1 << (settings.frame + longest - 1).bit_length()  # no lag up to longest wraps
    frames = np.lib.stride_tricks.sliding_window_view(piece, settings.frame)[::settings.hop]
    lags = np.arange(1, longest + 1)  # the columns of d below

    f0 = []
    for block in np.array_split(frames, max(1, math.ceil(len(frames) / _YIN_BLOCK_FRAMES))):
        x = block.astype(np.float64)
        autocorrelation = np.fft.irfft(np.abs(np.fft.rfft(x, size)) ** 2, size)
        energy = autocorrelation[:, :1]
        energy_from = energy - np.cumsum(x * x, axis=1)[:, :longest]  # from sample tau on
        difference = energy + energy_from - 2 * autocorrelation[:, 1:longest + 1]
        running_mean = np.cumsum(difference, axis=1) / lags
        normalized = difference / np.maximum(running_mean, np.finfo(np.float64).tiny)
        f0.append(SAMPLE_RATE / _first_trough(normalized[:, shortest - 1:], shortest))
    return np.concatenate(f0)


def _first_trough(normalized: np.ndarray, shortest: int) -> np.ndarray:
    """Per row of the normalized difference (column i is lag ``shortest + i``), the lag of
    its first local minimum under ``_YIN_THRESHOLD``, else of its lowest point, refined
    to a fraction of a sample by a parabola through it and its two neighbours."""
    import numpy as np

    rows = np.arange(len(normalized))
    padded = np.pad(normalized, ((0, 0), (1, 1)), constant_values=np.inf)
    trough = (normalized < padded[:, :-2]) & (normalized <= padded[:, 2:]) \
        & (normalized < _YIN_THRESHOLD)
    best = np.where(trough.any(axis=1), trough.argmax(axis=1), normalized.argmin(axis=1))

    inner = np.clip(best, 1, normalized.shape[1] - 2)
    before, at, after = (normalized[rows, inner + step] for step in (-1, 0, 1))
    curvature = before - 2 * at + after
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = 0.5 * (before - after) / curvature
    edge = (best == 0) | (best == normalized.shape[1] - 1)
    shift = np.where(edge | ~(np.abs(shift) < 1), 0.0, shift)
    return shortest + best + shift


def _periodicity(piece: np.ndarray, f0: np.ndarray, settings: DeliverySettings) -> np.ndarray:
    """Normalized correlation of each frame with itself one period (1/f0) later.

    yin always answers with its best period, even in noise, where the best is poor:
    this is the gate that tells a voice (close to 1) from breath and hiss (near 0).
    """
    import numpy as np

    width = settings.frame - settings.max_period
    starts = np.arange(f0.size) * settings.hop
    lags = np.clip(np.rint(SAMPLE_RATE / f0), 1, settings.max_period).astype(np.int64)
    offsets = np.arange(width)
    a = piece[starts[:, None] + offsets]
    b = piece[(starts + lags)[:, None] + offsets]
    num = np.einsum("ij,ij->i", a, b)
    den = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b)) + 1e-12
    return num / den


def _pyin(piece: np.ndarray, settings: DeliverySettings) -> np.ndarray:
    """librosa.pyin, trusting its own voicing decision.

    Only for ``accurate_pitch``: librosa's numba code is compiled on its first use after
    an install (about 10 s, once; numba caches it) on top of librosa's 1.7 s import.
    """
    import librosa
    import numpy as np

    f0, voiced, _ = librosa.pyin(piece, fmin=settings.fmin_hz, fmax=settings.fmax_hz,
                                 sr=SAMPLE_RATE, frame_length=settings.frame,
                                 hop_length=settings.hop, center=False)
    return np.where(voiced, f0, np.nan)


def _drop_short_runs(f0: np.ndarray, min_frames: int) -> np.ndarray:
    """NaN out voiced runs shorter than ``min_frames``: a lone voiced frame is a stray pick."""
    import numpy as np

    voiced = ~np.isnan(f0)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], voiced.astype(np.int8), [0]))))
    for start, end in edges.reshape(-1, 2):
        if end - start < min_frames:
            f0[start:end] = np.nan
    return f0


def _semitones(f0: np.ndarray, settings: DeliverySettings) -> tuple[float | None, np.ndarray]:
    """The median pitch (Hz) and every frame in semitones from it, octave errors removed.

    Trackers jump an octave (12 semitones) now and then; one such jump in a window would
    count as lively intonation, so frames that far from the median are dropped.
    """
    import numpy as np

    voiced = f0[~np.isnan(f0)]
    if voiced.size == 0:
        return None, np.full(f0.size, np.nan)
    median_hz = float(np.median(voiced))
    semitones = 12 * np.log2(f0 / median_hz)
    semitones[np.abs(semitones) > settings.octave_error_semitones] = np.nan
    return median_hz, semitones


# --- pitch variation ----------------------------------------------------------------------


def _pitch_metrics(frames: _Frames, tokens: Sequence[Token], method: str,
                   median_hz: float | None, speech_s: float, voiced_s: float, judged: bool,
                   settings: DeliverySettings) -> PitchMetrics:
    import numpy as np

    voiced = frames.voiced
    overall = float(np.std(frames.semitones[voiced])) if voiced.any() else None
    windows = _pitch_windows(frames, settings) if voiced.any() else []
    measured = PitchMetrics(method, median_hz, overall, voiced_s, tuple(windows), None, ())
    if not judged:
        return measured
    note = _monotone_evidence_note(speech_s, voiced_s, settings)
    if voiced_s < settings.min_voiced_s:  # too little pitch for its numbers to mean much
        return replace(measured, variation_semitones=None, windows=(), note=note)
    if note is not None or not windows:
        return replace(measured, note=note)
    monotone = float(np.median([w.variation_semitones for w in windows])) \
        < settings.monotone_semitones
    stretches = _flat_stretches(windows, tokens, settings)
    return replace(measured, monotone=monotone, flat_stretches=tuple(stretches))


def _monotone_evidence_note(speech_s: float, voiced_s: float,
                            settings: DeliverySettings) -> str | None:
    """Why the answer is too short to call monotone or lively, or None when it is not.

    Every pitch measure needs ``min_voiced_s`` of voiced pitch: the speaker's median pitch,
    against which octave errors of the tracker are caught, is unreliable on less (a 20
    semitone "rise" has been seen on 0.9 s of pitch). Uptalk needs nothing more.
    """
    if voiced_s < settings.min_voiced_s:
        return (f"Only {voiced_s:.1f} s of the speech had a clear pitch: too little to judge"
                f" pitch variation or uptalk (that needs {settings.min_voiced_s:g} s).")
    if speech_s < settings.min_speech_s:
        return (f"Only {numbers.duration(speech_s)} of speaking: too short to call the pitch"
                f" monotone or lively (that needs {settings.min_speech_s:g} s).")
    return None


def _pitch_windows(frames: _Frames, settings: DeliverySettings) -> list[PitchWindow]:
    """Variation in ``pitch_window_s`` windows every ``pitch_hop_s`` across the voiced span.

    The last window ends at the last voiced frame; a span shorter than a window is one
    window. Windows with under ``min_window_voiced_s`` of pitch are left out.
    """
    import numpy as np

    voiced = frames.voiced
    times = frames.times_s[voiced]
    values = frames.semitones[voiced]
    first, last = float(times[0]), float(times[-1])
    size, hop = settings.pitch_window_s, settings.pitch_hop_s
    starts = list(np.arange(first, max(first, last - size) + 1e-9, hop))
    if last - size > starts[-1] + 1e-9:
        starts.append(last - size)
    hop_s = settings.hop / SAMPLE_RATE
    windows = []
    for start in starts:
        end = min(start + size, last)
        inside = (times >= start) & (times <= end)
        voiced_s = float(inside.sum()) * hop_s
        if voiced_s >= settings.min_window_voiced_s:
            windows.append(PitchWindow(float(start), float(end),
                                       float(np.std(values[inside])), voiced_s))
    return windows


def _flat_stretches(windows: Sequence[PitchWindow], tokens: Sequence[Token],
                    settings: DeliverySettings) -> list[FlatStretch]:
    """Runs of overlapping flat windows, joined, each with its words and a suggestion."""
    runs: list[list[PitchWindow]] = []
    for window in windows:
        if window.variation_semitones >= settings.monotone_semitones:
            continue
        if runs and window.start_s <= runs[-1][-1].end_s:
            runs[-1].append(window)
        else:
            runs.append([window])
    stretches = []
    for run in runs:
        start, end = run[0].start_s, run[-1].end_s
        variation = max(w.variation_semitones for w in run)
        suggestion = (
            f"Your pitch varied by under {settings.monotone_semitones:g} semitones from"
            f" {clock(start)} to {clock(end)} (lively speech moves"
            f" {settings.monotone_semitones:g} or more):"
            " stress the key word of each sentence, and let your voice rise and fall with"
            " the meaning.")
        stretches.append(FlatStretch(start, end, variation, _words_between(tokens, start, end),
                                     suggestion))
    return stretches


# --- uptalk -------------------------------------------------------------------------------


def _is_statement(token: Token) -> bool:
    """A sentence that ends in a full stop (not "...", "?" or "!")."""
    tail = token.text.rstrip(_CLOSERS)
    return token.ends_sentence and tail.endswith(".") and not tail.endswith("..")


def _sentence_tokens(tokens: Sequence[Token]) -> list[Sequence[Token]]:
    return [tokens[first:last + 1] for first, last in sentences(tokens)]


def _uptalk(frames: _Frames, tokens: Sequence[Token],
            settings: DeliverySettings) -> UptalkMetrics:
    """Statements whose last ``uptalk_tail_s`` rose by more than ``uptalk_rise_semitones``."""
    measured = 0
    items = []
    for sentence in _sentence_tokens(tokens):
        last = sentence[-1]
        if not _is_statement(last) or last.end_s - last.start_s > settings.max_word_s:
            continue
        rise = _tail_rise(frames, last, settings)
        if rise is None:
            continue
        measured += 1
        rise_st, start, end = rise
        if rise_st > settings.uptalk_rise_semitones:
            text = _tail_quote(sentence)
            suggestion = (
                f"At {clock(start)} your statement \u201c{text}\u201d rose {rise_st:.1f}"
                " semitones at the end, which makes it sound like a question: let your pitch"
                " fall on the last word of a statement.")
            items.append(Uptalk(text, start, end, rise_st, suggestion))
    share = len(items) / measured if measured else None
    return UptalkMetrics(measured, len(items), share, tuple(items))


def _tail_rise(frames: _Frames, last: Token,
               settings: DeliverySettings) -> tuple[float, float, float] | None:
    """(rise in semitones, start_s, end_s) over the last voiced ``uptalk_tail_s`` of a word.

    The rise is the slope of a Theil-Sen line through the tail's pitch (the median of the
    slopes between every two frames) times the voiced part's length: a straight glide is
    measured whole, and a few stray frames cannot make a rise. None when the tail holds too little
    voiced pitch to say.
    """
    import numpy as np

    times = frames.times_s
    voiced = frames.voiced
    word = (times >= last.start_s) & (times <= last.end_s + settings.word_end_slack_s) & voiced
    if not word.any():
        return None
    end = float(times[word][-1])
    start = end - settings.uptalk_tail_s
    tail = (times >= start) & (times <= end) & voiced
    hop_s = settings.hop / SAMPLE_RATE
    if tail.sum() * hop_s < settings.ending_min_voiced_s:
        return None
    t, st = times[tail], frames.semitones[tail]
    i, j = np.triu_indices(t.size, k=1)
    slope = float(np.median((st[j] - st[i]) / (t[j] - t[i])))
    return slope * float(t[-1] - t[0]), start, end


# --- volume -------------------------------------------------------------------------------


def _fades(frames: _Frames, tokens: Sequence[Token],
           settings: DeliverySettings) -> tuple[tuple[Fade, ...], int]:
    """Sentences whose last word is ``fade_db`` below the rest of the sentence.

    Both levels are medians over voiced frames, where the vowels are: an unvoiced final
    "s" or a stop's closure is quiet in every sentence and would look like a fade. The
    whole last word is taken, not its end, because every word's voicing dies away in its
    last 100-150 ms; a speaker who trails off says the whole word softly.
    """
    import numpy as np

    times, voiced, level = frames.times_s, frames.voiced, frames.level_db
    fades = []
    measured = 0
    for sentence in _sentence_tokens(tokens):
        last = sentence[-1]
        if len(sentence) < 2 or last.end_s - last.start_s > settings.max_word_s:
            continue
        body = voiced & (times >= sentence[0].start_s) & (times < last.start_s)
        word = voiced & (times >= last.start_s) & (times <= last.end_s + settings.word_end_slack_s)
        hop_s = settings.hop / SAMPLE_RATE
        if min(body.sum(), word.sum()) * hop_s < settings.ending_min_voiced_s:
            continue
        measured += 1
        drop = float(np.median(level[body]) - np.median(level[word]))
        if drop > settings.fade_db:
            text = _tail_quote(sentence)
            suggestion = (
                f"At {clock(last.start_s)} your voice faded on the last word of \u201c{text}\u201d"
                f" ({drop:.0f} dB below the rest of the sentence): keep enough breath to finish"
                " each sentence at full voice; the last word often carries the point.")
            fades.append(Fade(text, last.start_s, last.end_s, drop, suggestion))
    return tuple(fades), measured


def _block_levels(times: np.ndarray, level_db: np.ndarray, in_speech: np.ndarray,
                  duration_s: float, settings: DeliverySettings) -> tuple[float | None, ...]:
    """The speaking level per ``level_block_s`` block: the energy mean of its speech frames.

    A block counts as speaking when at least 40% of it lies in speech regions; else None.
    The energy mean is ruled by the vowels, so pauses and soft consonants inside a block
    barely move it.
    """
    import numpy as np

    per_block = max(1, round(settings.level_block_s * SAMPLE_RATE / settings.hop))
    blocks = math.ceil(duration_s / settings.level_block_s)
    index = np.minimum((times / settings.level_block_s).astype(int), blocks - 1)
    power = np.where(in_speech, 10 ** (level_db / 10), 0.0)
    speech_count = np.bincount(index, weights=in_speech, minlength=blocks)
    power_sum = np.bincount(index, weights=power, minlength=blocks)
    levels = []
    for count, total in zip(speech_count, power_sum, strict=True):
        levels.append(float(10 * np.log10(total / count + 1e-12))
                      if count >= 0.4 * per_block else None)
    return tuple(levels)


def _quiet_stretches(levels: Sequence[float | None], reference: float,
                     tokens: Sequence[Token], settings: DeliverySettings
                     ) -> tuple[QuietStretch, ...]:
    """Stretches of speech ``quiet_below_median_db`` under the answer's level, long enough.

    Pauses up to ``quiet_bridge_s`` inside a quiet stretch do not end it; a block of
    speech at a normal level does.
    """
    import numpy as np

    block = settings.level_block_s
    limit = reference - settings.quiet_below_median_db
    runs: list[list[int]] = []
    gap = 0
    for i, value in enumerate(levels):
        if value is None:
            gap += 1
            continue
        if value < limit:
            if runs and runs[-1][-1] == i - gap - 1 and gap * block <= settings.quiet_bridge_s:
                runs[-1].append(i)
            else:
                runs.append([i])
        gap = 0
    found = []
    for run in runs:
        start, end = run[0] * block, (run[-1] + 1) * block
        if end - start < settings.quiet_min_s:
            continue
        below = reference - float(np.median([levels[i] for i in run]))
        text = _words_between(tokens, start, end)
        suggestion = (
            f"From {clock(start)} to {clock(end)} you spoke {below:.0f} dB below your usual"
            " level: keep your voice up there, or the listener may miss those words.")
        found.append(QuietStretch(text, start, end, below, suggestion))
    return tuple(found)


# --- words --------------------------------------------------------------------------------


def _words_between(tokens: Sequence[Token], start_s: float, end_s: float,
                   max_words: int = 12) -> str:
    """The words said between two times, shortened with an ellipsis."""
    inside = [t.text for t in tokens if start_s <= t.mid_s <= end_s]
    return join_words(inside[:max_words]) + (" \u2026" if len(inside) > max_words else "")


def _tail_quote(sentence: Sequence[Token], max_words: int = 8) -> str:
    """The end of a sentence, where its delivery is judged: "\u2026 we shipped it on time."."""
    words = [t.text for t in sentence[-max_words:]]
    return ("\u2026 " if len(sentence) > max_words else "") + join_words(words)
