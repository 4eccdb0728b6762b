"""export (JSON and Markdown) and reanalyze over a real store in a temp MOCKVIEW_HOME."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.render.markdown import escape
from mockview.report import build_report
from mockview.store import Store
from mockview.words import QuestionInfo, Transcript, Word

from .audio_helpers import DATA, write_audio

QUESTION = QuestionInfo(text="Why <script>alert(1)</script> this *role*?", kind="motivation",
                        id="why-role")


def report_for(text, question=QUESTION):
    words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(text.split()))
    return build_report(Transcript(words=words, duration_s=len(words) * 0.4 + 1.0),
                        question=question)


def saved_session(audio=None):
    with Store.open() as store:
        return store.save_analysis(audio, report_for("I like building tools, um, for teams."),
                                   question=QUESTION, category="motivation-and-fit")


def test_escape_makes_markup_inert():
    assert escape("<b>*hi*</b> [x](y)") == r"\<b\>\*hi\*\</b\> \[x\](y)"


def test_export_markdown_escapes_question_and_transcript(tmp_path):
    session_id = saved_session()
    out = tmp_path / "session.md"
    result = CliRunner().invoke(cli, ["export", str(session_id), "--format", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith(f"# mockview session {session_id}\n")
    assert r"\<script\>alert(1)\</script\>" in text
    assert "<script>" not in text
    assert "I like building tools, um, for teams" in text.replace("\\", "")


def test_export_json_to_stdout_holds_every_take():
    session_id = saved_session()
    result = CliRunner().invoke(cli, ["export", str(session_id), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["session"]["session_id"] == session_id
    [answer] = data["answers"]
    assert answer["question"]["id"] == "why-role"
    assert answer["takes"][0]["report"]["transcript"]["text"].startswith("I like building")


def test_export_unknown_session_is_one_clear_line():
    result = CliRunner().invoke(cli, ["export", "99", "--format", "md"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: No session 99.")


def test_reanalyze_skips_takes_without_audio_and_says_so():
    session_id = saved_session()
    result = CliRunner().invoke(cli, ["reanalyze", str(session_id)])
    assert result.exit_code == 0, result.output
    assert "Reanalysed 0 take(s)" in result.output
    assert "skipped" in result.output and "missing" in result.output


def test_reanalyze_takes_the_latest_session_as_last():
    saved_session()
    latest = saved_session()
    for ref in ("last", "-1"):
        result = CliRunner().invoke(cli, ["reanalyze", ref])
        assert result.exit_code == 0, result.output
        assert f"Session {latest}, answer 1, take 1 skipped" in result.output


def test_reanalyze_needs_a_session_or_all():
    result = CliRunner().invoke(cli, ["reanalyze"])
    assert result.exit_code == 2
    assert "Give a session id, or --all to reanalyse every stored take." in result.output


@pytest.mark.model
def test_reanalyze_recomputes_from_the_stored_audio_and_keeps_the_old_result(tmp_path):
    audio = DATA / "jfk.flac"
    with Store.open() as store:
        # a stale result: as if an older analysis had found nothing
        session_id = store.save_analysis(audio, report_for("old words"), question=QUESTION)
    result = CliRunner().invoke(cli, ["reanalyze", str(session_id)])
    assert result.exit_code == 0, result.output
    assert "Reanalysed 1 take(s)" in result.output
    with Store.open() as store:
        take = store.take(session_id, 1)
        assert "your country" in take.report["transcript"]["text"].lower()
        assert take.report["question"]["id"] == "why-role"
        assert len(store.report_history(take.take_id)) == 1


def test_silence_take_reanalyses_to_no_speech(tmp_path):
    path = write_audio(tmp_path / "quiet.wav", np.zeros(16000 * 2, dtype=np.float32), 16000)
    with Store.open() as store:
        session_id = store.save_analysis(path, report_for("words that were never said"))
    result = CliRunner().invoke(cli, ["reanalyze", "--all"])
    assert result.exit_code == 0, result.output
    with Store.open() as store:
        assert store.take(session_id, 1).report["transcript"]["words"] == []
