"""mockview batch: finding recordings, unique report names, the question map, the index,
cohorts, and the real command on real speech (a bad file among them, a kill and a resume)."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import mockview
from mockview import batch
from mockview.batch import BatchError, BatchResult, Cohorts, Outcome, Recording
from mockview.cli import cli

from .audio_helpers import DATA

SHORT = DATA / "61-70968-0000.flac"  # 4.9 s, read speech
SHORTER = DATA / "mfa_longstop.flac"  # 4.7 s, with a long stop


def run(*args):
    return CliRunner().invoke(cli, ["batch", *map(str, args)])


def run_process(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "mockview", "batch", *map(str, args)],
                          capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, **kwargs)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- logic ---------------------------------------------------------------------------------


def test_folders_are_searched_for_audio_in_name_order_and_files_are_taken_as_given(tmp_path):
    for name in ("b.wav", "a.FLAC", "sub/c.m4a", "notes.txt", ".hidden.wav", "out/x.wav"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    given = tmp_path / "notes.txt"
    found = batch.find_recordings([tmp_path, given, tmp_path / "b.wav"], skip=tmp_path / "out")
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.FLAC", "b.wav", "sub/c.m4a", "notes.txt"]


def test_a_missing_path_is_refused_with_its_name(tmp_path):
    with pytest.raises(BatchError, match=f"No such file or folder: {tmp_path / 'nope'}"):
        batch.find_recordings([tmp_path / "nope"])


def test_report_names_are_unique_and_keep_the_name_an_earlier_run_gave(tmp_path):
    files = [tmp_path / "a" / "ann q1.wav", tmp_path / "b" / "ann q1.wav", tmp_path / "x.m4a"]
    first = batch.plan(files, {}, lambda path: None)
    assert [r.name for r in first] == ["ann_q1.json", "ann_q1-2.json", "x.json"]
    # a later run that no longer has a/ann q1.wav keeps b's name, and a new file with the
    # same stem takes a name no one has
    index = {str(r.source): {"file": str(r.source), "name": r.name} for r in first}
    del index[str(files[0])]
    again = batch.plan([files[1], tmp_path / "c" / "ann q1.wav"], index, lambda path: None)
    assert [r.name for r in again] == ["ann_q1-2.json", "ann_q1.json"]


def test_the_question_map_matches_the_longest_path_ending(tmp_path):
    table = tmp_path / "q.csv"
    table.write_text("File,Question\nann_q1.wav,beh-disagree\nclass-b/ann_q1.wav,"
                     "intro-about-yourself\n\nbob.wav,\n", encoding="utf-8")
    mapping = batch.read_question_map(table)
    assert mapping == {"ann_q1.wav": "beh-disagree", "class-b/ann_q1.wav": "intro-about-yourself"}
    assert batch.question_for(Path("/x/class-a/ann_q1.wav"), mapping) == "beh-disagree"
    assert batch.question_for(Path("/x/class-b/ann_q1.wav"), mapping) == "intro-about-yourself"
    assert batch.question_for(Path("/x/bob.wav"), mapping) is None


@pytest.mark.parametrize("text,message", [
    ("name,id\na.wav,x\n", "has no 'file' and 'question' columns (found: name, id)"),
    ("file,question\na.wav,x\na.wav,y\n", "line 3: a.wav is mapped to both x and y. Keep one."),
])
def test_a_bad_question_map_is_refused_in_one_line(tmp_path, text, message):
    table = tmp_path / "q.csv"
    table.write_text(text, encoding="utf-8")
    with pytest.raises(BatchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        batch.read_question_map(table)


def test_the_index_keeps_the_last_entry_and_ignores_a_torn_line(tmp_path):
    lines = [{"file": "/a.wav", "name": "a.json", "sha256": "1"},
             {"file": "/b.wav", "name": "b.json", "sha256": "2"},
             {"file": "/a.wav", "name": "a.json", "sha256": "3"}]
    text = "".join(json.dumps(line) + "\n" for line in lines) + '{"file": "/c.wav", "na'
    (tmp_path / batch.INDEX_NAME).write_text(text, encoding="utf-8")
    index = batch.read_index(tmp_path)
    assert sorted(index) == ["/a.wav", "/b.wav"]
    assert index["/a.wav"]["sha256"] == "3"


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(TypeError):  # fails while writing: nothing replaced, nothing left
        batch.write_atomic(target, None)
    assert target.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [target]
    (tmp_path / f".x.json.12{batch.TEMP_SUFFIX}").write_text("half", encoding="utf-8")
    assert batch.remove_leftovers(tmp_path) == 1
    assert list(tmp_path.iterdir()) == [target]


def test_cohorts_average_each_person_and_count_their_tips():
    cohorts = Cohorts(r"(?P<person>[^_]+)_")
    row = {"duration_s": 60.0, "words_per_minute": 150.0, "fillers_per_minute": 2.0,
           "long_pause_count": 1}
    cohorts.add("/x/ann_q1.wav", row, [["pace", "Slow down"], ["fillers", "Fewer fillers"]])
    cohorts.add("/x/ann_q2.wav", {**row, "duration_s": 90.0, "words_per_minute": ""},
                [["fillers", "Fewer fillers"], ["length", "Say more"]])
    cohorts.add("/x/ann_q3.wav", {**row, "duration_s": 120.0},
                [["length", "Say more"], ["fillers", "Fewer fillers"]])
    cohorts.add("/x/ann_q4.wav", {**row, "duration_s": 90.0},
                [["length", "Say less"], ["pace", "Speed up"]])
    cohorts.add("/x/bob_q1.wav", row, [])
    cohorts.add("/x/nobody.wav", row, [])
    ann, bob = cohorts.rows()
    # length and fillers in 3 answers each, length nearer the top (twice first); length
    # under its most frequent title; pace in 2
    assert ann == {"person": "ann", "answers": 4, "mean_duration_s": 90.0,
                   "mean_words_per_minute": 150.0,  # the unjudged one is left out
                   "mean_fillers_per_minute": 2.0, "mean_long_pause_count": 1.0,
                   "work_on_1": "Say more (3 of 4)", "work_on_2": "Fewer fillers (3 of 4)"}
    assert (bob["answers"], bob["work_on_1"], bob["work_on_2"]) == (1, "", "")
    assert cohorts.unmatched == 1


@pytest.mark.parametrize("pattern,message", [
    ("(", "is not a regular expression"),
    ("([^_]+)_", "has no group named person"),
])
def test_a_summary_pattern_without_a_person_is_refused(pattern, message):
    with pytest.raises(BatchError, match=message):
        Cohorts(pattern)


def test_progress_tells_the_pace_in_audio_minutes_and_the_time_left():
    result = BatchResult(total=10, analysed=3, skipped=2, failed=1, audio_s=540.0, wall_s=60.0)
    outcome = Outcome(Recording(Path("/x/ann.wav"), "ann.json", None), duration_s=180.0)
    # 9 audio-minutes in one minute; 4 files left at 15 s per file worked on
    assert batch.progress_line(outcome, result) == (
        "[6/10] ann.wav: 180 s analysed; 9.0 audio-min per wall-min, about 60 s left")
    skipped = Outcome(outcome.recording, skipped=True)
    assert batch.progress_line(skipped, BatchResult(total=2, skipped=1)) == (
        "[1/2] ann.wav: already analysed, skipped")


class FakeWorkers:
    """Workers for the batch's logic: a made-up report per file; ``crash.wav`` kills its
    worker every time."""

    slots = 1

    def __init__(self):
        self.submitted, self.restarts = [], 0

    def submit(self, recording, question):
        from concurrent.futures import Future

        self.submitted.append(recording.source.name)
        future = Future()
        if recording.source.name == "crash.wav":
            future.set_exception(batch.WorkerLost())
        else:
            future.set_result((_made_up_report(recording.source), None))
        return future

    @staticmethod
    def result(future):
        return future.result()

    @staticmethod
    def wait(futures, return_when):
        from concurrent.futures import wait

        return wait(futures, return_when=return_when)

    def restart(self):
        self.restarts += 1

    def stop(self):
        pass

    def close(self):
        pass


def _made_up_report(path):
    return {"audio": {"path": str(path), "duration_s": 30.0},
            "metrics": {"content": None, "delivery": None,
                        "rambling": {"judged": True, "flagged": False},
                        "length": {"word_count": 70, "verdict": "short"},
                        "pace": {"words_per_minute": 140.0, "verdict": "good"},
                        "fillers": {"per_minute": 2.0, "count": 1},
                        "pauses": {"long_count": 0, "longest_s": 0.4}},
            "feedback": [{"id": "length", "title": "Say more"}]}


def test_a_file_that_kills_its_worker_twice_is_an_error_and_the_others_are_done(tmp_path):
    for name in ("a.wav", "crash.wav", "b.wav"):
        (tmp_path / name).write_bytes(name.encode())
    out = tmp_path / "out"
    out.mkdir()
    recordings = batch.plan(batch.find_recordings([tmp_path], skip=out), {}, lambda p: None)
    workers = FakeWorkers()
    result = batch.run_batch(recordings, batch.BatchOptions(out_dir=out, workers=workers))
    assert (result.analysed, result.failed) == (2, 1)
    assert workers.submitted.count("crash.wav") == batch.MAX_ATTEMPTS
    assert workers.restarts == batch.MAX_ATTEMPTS
    assert read_csv(out / "errors.csv") == [{
        "file": str(tmp_path / "crash.wav"),
        "error": "The process analysing it stopped (crashed, or ran out of memory) twice. "
                 "Check that the file plays, or convert it."}]
    assert sorted(p.name for p in out.glob("*.json")) == ["a.json", "b.json"]

    # again: the two are skipped, the crashing one is tried again
    workers = FakeWorkers()
    again = batch.run_batch(recordings, batch.BatchOptions(out_dir=out, workers=workers))
    assert (again.analysed, again.skipped, again.failed) == (0, 2, 1)
    assert workers.submitted == ["crash.wav"] * batch.MAX_ATTEMPTS
    assert [r["file"] for r in read_csv(out / "summary.csv")] == [
        str(tmp_path / "a.wav"), str(tmp_path / "b.wav")]


# --- the command, before any model runs ----------------------------------------------------


def test_question_and_questions_together_are_refused(tmp_path):
    result = run(tmp_path, "--question", "beh-disagree", "--questions", tmp_path / "q.csv")
    assert result.exit_code == 2
    assert "Give either --question or --questions, not both." in result.stderr


def test_an_unknown_question_in_the_map_is_refused_before_any_work(tmp_path):
    table = tmp_path / "q.csv"
    table.write_text("file,question\na.wav,no-such-question\n", encoding="utf-8")
    result = run(SHORT, "--questions", table, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {table}: No question with id 'no-such-question'.")
    assert not (tmp_path / "out").exists()


def test_a_folder_without_audio_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = run(tmp_path, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: No audio files in {tmp_path}. Give recordings or folders "
                             "holding .wav, .flac, .mp3, .m4a or .ogg files.\n")


# --- the real command on real speech ------------------------------------------------------


@pytest.mark.model
@pytest.mark.slow
def test_batch_analyses_a_folder_writes_reports_summary_and_errors_and_resumes(tmp_path):
    answers = tmp_path / "answers"
    (answers / "class-b").mkdir(parents=True)
    shutil.copy(SHORT, answers / "ann_q1.flac")
    shutil.copy(SHORTER, answers / "class-b" / "ann_q1.flac")  # the same name elsewhere
    (answers / "bob_q1.wav").write_bytes(b"RIFF, but not really")
    table = tmp_path / "questions.csv"
    table.write_text("file,question\nclass-b/ann_q1.flac,beh-disagree\n", encoding="utf-8")
    out = tmp_path / "out"

    first = run_process(answers, "--out", out, "--jobs", "2", "--questions", table, "--jsonl",
                        "--summary-by", "(?P<person>[^_]+)_")
    assert first.returncode == 1, first.stderr
    assert first.stderr.splitlines()[-1] == (
        f"Error: 1 of 3 recordings could not be analysed: see {out / 'errors.csv'}.")

    # each report is what the API (and analyze --json) gives for that file and question
    plain = json.loads((out / "ann_q1.json").read_text(encoding="utf-8"))
    mapped = json.loads((out / "ann_q1-2.json").read_text(encoding="utf-8"))
    assert plain == mockview.analyze_file(answers / "ann_q1.flac").to_dict()
    assert mapped == mockview.analyze_file(answers / "class-b" / "ann_q1.flac",
                                           question="beh-disagree").to_dict()
    assert sorted(json.loads(line)["audio"]["path"] for line in first.stdout.splitlines()) == \
        sorted([plain["audio"]["path"], mapped["audio"]["path"]])

    # rows come as the workers finish: in either order
    rows = sorted(read_csv(out / "summary.csv"), key=lambda r: r["file"])
    assert [(Path(r["file"]).relative_to(answers).as_posix(), r["report"], r["question"])
            for r in rows] == [("ann_q1.flac", "ann_q1.json", ""),
                               ("class-b/ann_q1.flac", "ann_q1-2.json", "beh-disagree")]
    assert float(rows[1]["duration_s"]) == mapped["audio"]["duration_s"]
    assert rows[1]["length"] == mapped["metrics"]["length"]["verdict"]
    assert rows[1]["work_on"] == " | ".join(f["title"] for f in mapped["feedback"][:2])
    errors = read_csv(out / "errors.csv")
    assert [Path(e["file"]).name for e in errors] == ["bob_q1.wav"]
    assert errors[0]["error"].startswith(f"{answers / 'bob_q1.wav'} cannot be read")
    people = read_csv(out / "people.csv")
    assert [(p["person"], p["answers"]) for p in people] == [("ann", "2")]

    # again: nothing is analysed twice; a changed file and an older analysis are redone
    os.remove(answers / "bob_q1.wav")
    made = {name: (out / name).stat().st_mtime_ns for name in ("ann_q1.json", "ann_q1-2.json")}
    again = run_process(answers, "--out", out, "--questions", table)
    assert again.returncode == 0, again.stderr
    assert "2 recordings: 0 analysed, 2 already done, 0 failed." in again.stderr
    assert {name: (out / name).stat().st_mtime_ns for name in made} == made
    assert read_csv(out / "errors.csv") == []

    shutil.copy(SHORTER, answers / "ann_q1.flac")
    index = out / batch.INDEX_NAME
    entries = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]
    for entry in entries:
        if entry["name"] == "ann_q1-2.json":
            entry["analysis_version"] = "0.0.1"
    index.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    third = run_process(answers, "--out", out, "--questions", table)
    assert third.returncode == 0, third.stderr
    assert "2 recordings: 2 analysed, 0 already done, 0 failed" in third.stderr
    redone = json.loads((out / "ann_q1.json").read_text(encoding="utf-8"))
    assert redone["transcript"]["text"] == mapped["transcript"]["text"]  # now SHORTER's
    assert sorted(p.name for p in out.iterdir()) == [
        "ann_q1-2.json", "ann_q1.json", "batch-index.jsonl", "errors.csv", "people.csv",
        "summary.csv"]


def _stop_after(answers, out, reports, sig):
    """Start a batch of ``answers`` and send ``sig`` to it (and its worker) once the index
    holds ``reports`` lines; its stderr."""
    index = out / batch.INDEX_NAME
    process = subprocess.Popen(
        [sys.executable, "-m", "mockview", "batch", str(answers), "--out", str(out),
         "--jobs", "1"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not (index.exists() and index.read_text(encoding="utf-8").count("\n") >= reports):
            assert process.poll() is None, "the batch ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert process.poll() is None, "the batch ended before it could be stopped"
        os.killpg(process.pid, sig)  # the batch and its worker, as Ctrl-C or a kill would
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, stderr


@pytest.mark.model
@pytest.mark.slow
def test_a_batch_stopped_then_killed_midway_resumes_with_every_report_once(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    names = [f"p{n}_answer.flac" for n in range(5)]
    for n, name in enumerate(names):
        shutil.copy(SHORT if n % 2 else SHORTER, answers / name)
    out = tmp_path / "out"
    index = out / batch.INDEX_NAME

    # Ctrl-C: one line, status 130, what was done is kept
    status, stderr = _stop_after(answers, out, 1, signal.SIGINT)
    assert status == 130
    assert stderr.endswith("Stopped. The reports written so far are kept: run the same "
                           "command again to go on.\n")
    assert "Traceback" not in stderr and "Warning" not in stderr
    # a kill: nothing told, nothing half-written
    status, _ = _stop_after(answers, out, 2, signal.SIGKILL)
    assert status == -signal.SIGKILL
    killed_with = index.read_text(encoding="utf-8").count("\n")
    assert 2 <= killed_with < len(names)

    resumed = run_process(answers, "--out", out, "--jobs", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr.count("already analysed, skipped") >= killed_with
    reports = sorted(p.name for p in out.glob("*.json"))
    assert reports == sorted(name.replace(".flac", ".json") for name in names)
    for report in reports:  # whole, and each about its own file
        data = json.loads((out / report).read_text(encoding="utf-8"))
        assert Path(data["audio"]["path"]).stem == Path(report).stem
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    rows = read_csv(out / "summary.csv")
    assert sorted(Path(r["file"]).name for r in rows) == sorted(names)
