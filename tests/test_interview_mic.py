"""`mockview interview --no-input --json` end to end: the virtual microphone (conftest.py's
``virtual_mic``), the real model, the real store, mockview as its own process.

Real speech is played in as each answer starts recording: JFK for the opener (22 words, too
few for its content to be judged, so no follow-up), the 27 s acoustic-corpus monologue for
the question made from the job (59 words, a behavioral question answered with no example
of anything done: it earns a follow-up), then a read LibriSpeech sentence for the follow-up
and a short clip for the closing.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile

from mockview.speech.audio import SAMPLE_RATE, load_audio

DATA = Path(__file__).parent / "data"
JOB = """# Backend Engineer

We build scalable data pipelines in Python and run them on Kubernetes.
You will own incident response and improve our data pipelines.
"""
#: What is played into each recording in turn (the last again for any further one).
ANSWERS = ("jfk.flac", "acoustic_corpus.wav", "61-70968-0000.flac", "mfa_putty.flac")


def _wav16(name: str, folder: Path) -> Path:
    """paplay misreads 24-bit FLAC, so each clip is played as a 16-bit WAV."""
    path = folder / (Path(name).stem + ".wav")
    soundfile.write(path, load_audio(DATA / name), SAMPLE_RATE, subtype="PCM_16")
    return path


def _answer_each_recording(process: subprocess.Popen, clips: list[Path],
                           home: Path) -> int:
    """Play the next clip whenever a new take starts recording; returns how many played."""
    unsaved = home / "recordings" / "unsaved"
    seen: set[str] = set()
    played = 0
    deadline = time.monotonic() + 600
    while process.poll() is None:
        assert time.monotonic() < deadline, "the interview did not end"
        # each take is recorded to a WAV of its own there (a sidecar JSON goes with it)
        new = ({p.name for p in unsaved.glob("*.wav")} - seen) if unsaved.is_dir() else set()
        if not new:
            time.sleep(0.05)
            continue
        seen |= new
        time.sleep(0.5)
        subprocess.run(["paplay", str(clips[min(played, len(clips) - 1)])], check=True)
        played += 1
    return played


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_an_interview_through_the_microphone_asks_a_follow_up_and_saves_it_all(
        virtual_mic, mockview_home, tmp_path):
    job = tmp_path / "job.txt"
    job.write_text(JOB)
    clips = [_wav16(name, tmp_path) for name in ANSWERS]
    # the output goes to files: a pipe nobody reads while the answers are played could fill
    # up and stop mockview mid-interview
    out_path, err_path = tmp_path / "out.json", tmp_path / "err.txt"
    with open(out_path, "w") as out_file, open(err_path, "w") as err_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockview", "interview", "--job", str(job), "--questions",
             "1", "--prep", "0", "--silence-stop", "3", "--no-input", "--json", "--no-voice",
             "-o", "answers [draft].html"],
            stdout=out_file, stderr=err_file, text=True, cwd=tmp_path)
        played = _answer_each_recording(process, clips, mockview_home)
        process.wait(timeout=120)
    out, err = out_path.read_text(), err_path.read_text()
    assert process.returncode == 0, err
    assert played == 4, err
    document = json.loads(out)

    assert document["opener"]["question"]["text"] == "Tell me about yourself."
    [question] = document["questions"]
    assert question["question"] == {"id": "job-python", "kind": "behavioral",
                                    "text": "Tell me about a time you used Python."}
    [follow] = document["follow_ups"]
    assert follow["reason_id"] in ("no_example", "no_result", "we_not_i", "rambling",
                                   "job_term")
    assert follow["reason"] and follow["question"]["text"].endswith("?")
    assert follow["parent"] == {"answer_no": question["answer_no"], "take_no": 1,
                                "question_id": "job-python"}
    assert follow["answer_no"] == question["answer_no"] + 1
    assert document["closing"]["question"]["text"] == "Do you have any questions for us?"
    assert len(document["scorecard"]["work_on"]) <= 3

    # every take saved: in the store, with its audio, the follow-up linked to its parent
    takes = [t for part in (document["opener"], question, follow, document["closing"])
             for t in part["takes"]]
    assert len(takes) == 4 and all(Path(t["audio_path"]).is_file() for t in takes)
    assert all(t["feedback_s"] > 0 for t in takes)  # each take got its feedback
    db = sqlite3.connect(document["store"])
    stored = {row[0] for row in db.execute("SELECT id FROM takes")}
    assert stored == {t["take_id"] for t in takes}
    [(parent_take, reason_id)] = db.execute("SELECT parent_take_id, reason_id FROM follow_ups")
    assert parent_take == question["takes"][0]["take_id"] and reason_id == follow["reason_id"]
    assert db.execute("SELECT source FROM sessions").fetchall() == [("interview",)]
    db.close()

    page = Path(document["page"])
    assert page == tmp_path / "answers [draft].html" and page.is_file()
    assert "[draft].html" in err  # the path as given, not read as a style
    html = page.read_text()
    assert "Follow-up to answer 2" in html and follow["reason"] in html
    assert "Interview scorecard" in err and "Traceback" not in err
