"""The practice session's flow, driven by a fake microphone, a fake model and scripted keys.

The store is real (SQLite in the test's MOCKVIEW_HOME): these tests check what a session
leaves behind as well as what it shows. The real microphone path is in test_practice_mic.py.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest
import soundfile

from mockview.errors import DeviceError, MockviewError, ModelError
from mockview.practice import (
    TIME_LIMIT_MARGIN,
    Action,
    Practice,
    PracticeSettings,
    time_limit,
)
from mockview.questions import load_banks, select_questions
from mockview.recording import LevelReading, RecordingResult
from mockview.store import Store
from tests.analysis_helpers import transcript

QUESTIONS = ("beh-disagree", "intro-about-yourself", "sw-greatest-strength")
ANSWER = "Um, I led the migration and, uh, we cut the build time by half. [1.5] So yeah."


@pytest.fixture
def questions():
    return select_questions(load_banks(), ids=QUESTIONS)


@pytest.fixture
def store():
    with Store.open() as opened:
        yield opened


class FakeRecorder:
    """Writes ``seconds`` of noise to the path it is given, feeding the live transcriber."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes) or [(3.0, "stop", 0)]
        self.calls: list[dict] = []

    def __call__(self, path, **options):
        self.calls.append({"path": path, **options})
        seconds, stopped_by, overflows = self.outcomes[min(len(self.calls),
                                                           len(self.outcomes)) - 1]
        if isinstance(stopped_by, BaseException):
            raise stopped_by
        audio = np.random.default_rng(0).normal(0, 0.05, int(seconds * 16000))
        audio = audio.astype(np.float32)
        soundfile.write(path, audio, 16000, subtype="PCM_16", format="WAV")
        for start in range(0, audio.size, 800):
            options["on_audio"](audio[start:start + 800])
        options["on_level"](LevelReading(seconds, -20.0, -6.0))
        return RecordingResult(path=path, duration_s=seconds, overflow_count=overflows,
                               peak_dbfs=-6.0, stopped_by=stopped_by)


class FakeTranscriber:
    """Counts the audio fed to it and returns a hand-made transcript."""

    made: list[FakeTranscriber] = []

    def __init__(self, text=ANSWER, error=None):
        self.text, self.error = text, error
        self.fed_frames = 0
        self.fed: list[np.ndarray] = []
        self.closed = False
        FakeTranscriber.made.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.closed = True

    def feed(self, block):
        self.fed_frames += len(block)
        self.fed.append(np.asarray(block, dtype=np.float32).reshape(-1))

    def audio(self):
        return np.concatenate(self.fed) if self.fed else None

    def finish(self):
        if self.error:
            raise self.error
        return transcript(self.text, duration_s=self.fed_frames / 16000)


class FakeUI:
    """Records what the session showed; answers ``choose`` from a script of actions."""

    def __init__(self, *actions):
        self.actions = list(actions)
        self.events: list[tuple] = []

    def show_question(self, question, number, total, take_no, time_limit_s):
        self.events.append(("question", question.id, number, total, take_no, time_limit_s))

    def prepare(self, seconds):
        self.events.append(("prepare", seconds))

    def recording(self, time_limit_s):
        ui = self

        class View:
            stop = threading.Event()

            def level(self, reading):
                ui.events.append(("level", reading.rms_dbfs))

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                ui.events.append(("recorded",))

        return View()

    def show_feedback(self, take):
        self.events.append(("feedback", take.answer_no, take.take_no,
                            take.report["metrics"]["fillers"]["count"]))

    def choose(self, take):
        action = self.actions.pop(0)
        if isinstance(action, BaseException):
            raise action
        return action

    def play(self, take, *, moments):
        self.events.append(("play", take.answer_no, take.take_no, moments))

    def notice(self, message):
        self.events.append(("notice", message))

    def named(self, name):
        return [e for e in self.events if e[0] == name]


def practice(questions, store, ui, recorder, *, interactive=True, transcriber=FakeTranscriber,
             **settings):
    settings = PracticeSettings(**{"prep_s": 0.0, **settings})
    return Practice(questions, store=store, ui=ui, settings=settings, record=recorder,
                    transcriber=transcriber, interactive=interactive)


def test_without_input_every_question_is_recorded_once_and_saved(questions, store):
    ui, recorder = FakeUI(), FakeRecorder((4.0, "time_limit", 0))
    result = practice(questions, store, ui, recorder, interactive=False,
                      silence_stop_s=3.0, device="vmic").run()

    assert [(t.answer_no, t.take_no) for t in result.takes] == [(1, 1), (2, 1), (3, 1)]
    assert [e[1] for e in ui.named("question")] == list(QUESTIONS)
    assert ui.named("notice") == []
    assert all(call["silence_stop_s"] == 3.0 and call["device"] == "vmic"
               for call in recorder.calls)
    stored = store.session(result.session_id)
    assert [(t.answer_no, t.question_id) for t in stored.takes] == [
        (1, "beh-disagree"), (2, "intro-about-yourself"), (3, "sw-greatest-strength")]
    assert all(t.audio_path.suffix == ".flac" and t.audio_path.is_file() for t in stored.takes)
    assert stored.takes[0].fillers_count == 2  # "Um" and "uh" of the fake transcript
    # the recordings were moved into the store: nothing is left in the unsaved folder
    assert not any((store.recordings_dir / "unsaved").iterdir())
    assert store.sessions()[0].session_id == result.session_id
    assert result.to_dict()["takes"][0]["report"]["question"]["id"] == "beh-disagree"


def test_the_live_transcriber_hears_every_recorded_sample(questions, store):
    FakeTranscriber.made.clear()
    practice(questions[:1], store, FakeUI(), FakeRecorder((2.5, "stop", 0)),
             interactive=False).run()
    assert [t.fed_frames for t in FakeTranscriber.made] == [40000]
    assert all(t.closed for t in FakeTranscriber.made)


def test_the_delivery_is_measured_on_the_samples_heard_not_read_back(questions, store,
                                                                      monkeypatch):
    import mockview.report

    measured = []
    measure = mockview.report.measure_delivery
    monkeypatch.setattr(mockview.report, "measure_delivery",
                        lambda audio, *args, **kwargs: measured.append(audio)
                        or measure(audio, *args, **kwargs))
    FakeTranscriber.made.clear()
    practice(questions[:1], store, FakeUI(), FakeRecorder((2.5, "stop", 0)),
             interactive=False).run()
    (audio,) = measured
    assert isinstance(audio, np.ndarray)
    assert np.array_equal(audio, FakeTranscriber.made[0].audio())


def test_retry_play_and_next_then_quit(questions, store):
    ui = FakeUI(Action.RETRY, Action.PLAY, Action.MOMENTS, Action.NEXT, Action.QUIT)
    result = practice(questions, store, ui, FakeRecorder()).run()

    assert [(t.answer_no, t.take_no) for t in result.takes] == [(1, 1), (1, 2), (2, 1)]
    assert ui.named("play") == [("play", 1, 2, False), ("play", 1, 2, True)]
    assert [e[4] for e in ui.named("question")] == [1, 2, 1]  # take numbers shown
    assert result.quit_early and result.questions_asked == 2
    stored = store.session(result.session_id)
    assert [(t.answer_no, t.take_no) for t in stored.takes] == [(1, 1), (1, 2), (2, 1)]
    assert store.sessions()[0].answer_count == 2  # the third question was never asked


def test_feedback_is_shown_before_the_choice_and_each_take_is_saved_before_it(questions,
                                                                             store):
    saved_when_asked = []

    class CheckingUI(FakeUI):
        def choose(self, take):
            saved_when_asked.append(store.sessions()[0].take_count)
            return super().choose(take)

    ui = CheckingUI(Action.RETRY, Action.QUIT)
    session = practice(questions, store, ui, FakeRecorder())
    session.run()
    assert saved_when_asked == [1, 2]
    kinds = [e[0] for e in ui.events if e[0] in ("recorded", "feedback")]
    assert kinds == ["recorded", "feedback", "recorded", "feedback"]


def test_ctrl_c_while_recording_keeps_the_take(questions, store):
    ui = FakeUI(Action.QUIT)
    result = practice(questions, store, ui, FakeRecorder((1.5, "interrupted", 0))).run()
    assert result.takes[0].recording.stopped_by == "interrupted"
    kept = store.session(result.session_id).takes[0].audio_path
    assert soundfile.info(kept).duration == pytest.approx(1.5)


def test_ctrl_c_at_the_choice_keeps_the_takes_and_closes_the_session(questions, store):
    ui = FakeUI(Action.NEXT, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        practice(questions, store, ui, FakeRecorder()).run()
    summary = store.sessions()[0]
    assert summary.take_count == 2
    row = store._db.execute("SELECT finished_at_utc FROM sessions WHERE id = ?",
                            (summary.session_id,)).fetchone()
    assert row[0] is not None


def test_a_lost_device_ends_the_take_with_what_was_captured(questions, store):
    ui = FakeUI(Action.QUIT)
    result = practice(questions, store, ui, FakeRecorder((2.0, "device_lost", 0))).run()
    [(_, message)] = ui.named("notice")
    assert "stopped sending audio after 2.0 s" in message and "kept" in message
    kept = store.session(result.session_id).takes[0].audio_path
    assert soundfile.info(kept).duration == pytest.approx(2.0)


def test_overflows_are_reported_with_their_count(questions, store):
    ui = FakeUI(Action.QUIT)
    result = practice(questions, store, ui, FakeRecorder((2.0, "stop", 7))).run()
    [(_, message)] = ui.named("notice")
    assert message.startswith("7 input overflows")
    assert result.to_dict()["takes"][0]["overflow_count"] == 7


@pytest.mark.parametrize("stopped_by, told", [
    ("stop", "Nothing was recorded, so there is nothing to save."),
    ("device_lost", "The microphone stopped sending audio before anything was recorded, so "
                    "there is nothing to save."),
])
def test_nothing_recorded_saves_nothing_and_says_so_once(questions, store, stopped_by, told):
    ui = FakeUI()
    result = practice(questions[:1], store, ui, FakeRecorder((0.0, stopped_by, 0)),
                      interactive=False).run()
    assert result.takes == []
    [(_, message)] = ui.named("notice")
    assert message.startswith(told)
    assert store.sessions() == []  # a session with nothing in it is not kept
    assert not any((store.recordings_dir / "unsaved").iterdir())


def test_a_device_error_stops_the_session_and_leaves_no_empty_file(questions, store):
    error = DeviceError("No input device found.")
    recorder = FakeRecorder((1.0, "stop", 0), (0.0, error, 0))
    with pytest.raises(DeviceError, match="No input device"):
        practice(questions, store, FakeUI(), recorder, interactive=False).run()
    assert store.sessions()[0].take_count == 1  # the first answer is kept
    assert not any((store.recordings_dir / "unsaved").iterdir())


def test_a_failed_transcription_says_where_the_recording_is(questions, store):
    def broken():
        return FakeTranscriber(error=ModelError("The model could not run."))

    with pytest.raises(MockviewError) as raised:
        practice(questions[:1], store, FakeUI(), FakeRecorder(), interactive=False,
                 transcriber=broken).run()
    message = str(raised.value)
    kept = message.split("The recording was kept: ")[1].split(" (")[0]
    assert message.startswith("The model could not run.")
    assert message.endswith("(mockview recover analyses it and adds it to this session).")
    assert soundfile.info(kept).duration == pytest.approx(3.0)


def test_time_limit_comes_from_the_kind_unless_given(questions):
    behavioral = questions[0]
    assert behavioral.kind == "behavioral"
    assert time_limit(behavioral, PracticeSettings()) == round(180 * TIME_LIMIT_MARGIN)
    assert time_limit(behavioral, PracticeSettings(time_limit_s=42.0)) == 42.0


def test_recording_stops_at_the_time_limit_passed_to_the_recorder(questions, store):
    recorder = FakeRecorder()
    practice(questions[:1], store, FakeUI(), recorder, interactive=False,
             time_limit_s=12.0).run()
    assert recorder.calls[0]["max_duration_s"] == 12.0


def test_no_questions_is_a_clear_error(store):
    with pytest.raises(MockviewError, match="No questions to practise"):
        practice([], store, FakeUI(), FakeRecorder())


def test_summary_compares_with_the_previous_session(questions, store):
    first = practice(questions[:1], store, FakeUI(), FakeRecorder(), interactive=False)
    first.summary(first.run())
    second = practice(questions[1:2], store, FakeUI(),
                      FakeRecorder((3.0, "stop", 0)), interactive=False,
                      transcriber=lambda: FakeTranscriber(text="I built the tool. It works."))
    record, comparison = second.summary(second.run())
    assert record.summary.take_count == 1
    assert comparison.a.spec == str(first.session_id)
    assert comparison.b.spec == str(second.session_id)
    fillers = next(m for m in comparison.metrics if m.metric.key == "fillers_per_minute")
    assert fillers.a > 0 and fillers.b == 0 and fillers.outcome == "better"


def test_summary_of_a_first_session_has_no_comparison(questions, store):
    session = practice(questions[:1], store, FakeUI(), FakeRecorder(), interactive=False)
    record, comparison = session.summary(session.run())
    assert record is not None and comparison is None


def test_ctrl_c_while_analysing_says_where_the_recording_is(questions, store):
    ui = FakeUI()
    with pytest.raises(KeyboardInterrupt):
        practice(questions[:1], store, ui, FakeRecorder(), interactive=False,
                 transcriber=lambda: FakeTranscriber(error=KeyboardInterrupt())).run()
    [(_, message)] = ui.named("notice")
    kept = message.split("Its recording is kept: ")[1].split(" (")[0]
    assert soundfile.info(kept).duration == pytest.approx(3.0)


def test_the_session_is_stored_when_the_first_take_starts_recording(questions, store):
    seen = []

    class Watching(FakeUI):
        def show_question(self, *args):
            seen.append(("question", len(store.sessions())))
            super().show_question(*args)

    class Recorder(FakeRecorder):
        def __call__(self, path, **options):
            seen.append(("recording", len(store.sessions())))
            return super().__call__(path, **options)

    practice(questions[:1], store, Watching(), Recorder(), interactive=False).run()
    assert seen == [("question", 0), ("recording", 1)]


def test_a_first_take_that_cannot_record_leaves_no_session(questions, store):
    recorder = FakeRecorder((0.0, DeviceError("Cannot open input device 3: USB Mic."), 0))
    with pytest.raises(DeviceError):
        practice(questions, store, FakeUI(), recorder, interactive=False).run()
    assert store.sessions() == []
    assert not any((store.recordings_dir / "unsaved").iterdir())


def test_a_first_take_kept_for_recover_keeps_its_session(questions, store):
    def broken():
        return FakeTranscriber(error=ModelError("The model could not run."))

    with pytest.raises(MockviewError):
        practice(questions[:1], store, FakeUI(), FakeRecorder(), interactive=False,
                 transcriber=broken).run()
    [pending] = store.unfinished_recordings()
    assert [s.session_id for s in store.sessions()] == [pending.session["id"]]


class SpeakerGone(FakeUI):
    def play(self, take, *, moments):
        super().play(take, moments=moments)
        raise DeviceError("Cannot open output device 2: default.")


def test_a_playback_failure_is_told_once_and_the_session_goes_on(questions, store):
    ui = SpeakerGone(Action.PLAY, Action.NEXT, Action.MOMENTS, Action.RETRY, Action.QUIT)
    result = practice(questions, store, ui, FakeRecorder()).run()
    notices = [message for _, message in ui.named("notice")]
    assert notices == ["Cannot open output device 2: default. The session goes on: retry, "
                       "go to the next question, or quit."] * 2
    assert [(t.answer_no, t.take_no) for t in result.takes] == [(1, 1), (2, 1), (2, 2)]
    assert store.sessions()[0].take_count == 3


class LostRecorder(FakeRecorder):
    """Loses the device after 2 s of the first take, saying why; then as scripted."""

    def __call__(self, path, **options):
        recording = super().__call__(path, **options)
        if recording.stopped_by == "device_lost":
            recording = dataclasses.replace(
                recording, lost_reason="PulseAudio: Unable to connect: Connection refused")
        return recording


def test_a_lost_microphone_is_told_once_the_take_kept_and_the_next_take_tries_again(
        questions, store):
    ui = FakeUI()
    recorder = LostRecorder((2.0, "device_lost", 0), (3.0, "stop", 0))
    result = practice(questions[:2], store, ui, recorder, interactive=False).run()
    assert ui.named("notice") == [(
        "notice", "The microphone stopped sending audio after 2.0 s (PulseAudio: Unable to "
                  "connect: Connection refused); the answer so far is kept. Check that it is "
                  "connected: the next take tries it again.")]
    assert len(recorder.calls) == 2
    assert [(t.answer_no, t.recording.duration_s) for t in result.takes] == [(1, 2.0), (2, 3.0)]
    assert ui.named("feedback")[0][1:3] == (1, 1)  # the kept take was analysed


def test_a_microphone_still_gone_at_the_next_question_says_the_takes_are_saved(questions,
                                                                            store):
    recorder = FakeRecorder((2.0, "device_lost", 0), (0.0, DeviceError("No input device "
                                                                      "found."), 0))
    with pytest.raises(DeviceError) as raised:
        practice(questions, store, FakeUI(), recorder, interactive=False).run()
    [session] = store.sessions()
    assert str(raised.value) == (f"No input device found. The takes recorded before are saved "
                                 f"(see: mockview show {session.session_id}).")
    assert session.take_count == 1
