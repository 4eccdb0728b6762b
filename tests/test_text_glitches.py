"""Text as a reader expects it: words joined as spoken, lists that show what they count,
Markdown escaped only where it must be, and failures told in one plain sentence."""

from __future__ import annotations

import errno
import html
import os
import re
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from mockview.analysis.text import quote, tokenize
from mockview.cli import cli
from mockview.files import why_writing_failed
from mockview.render.content import content_lines
from mockview.render.markdown import escape
from mockview.render.terminal import transcript_text
from mockview.report import build_report
from mockview.speech.transcription import TranscriptionSettings, check_segments
from mockview.words import QuestionInfo, Transcript, join_words

from .analysis_helpers import timeline
from .audio_helpers import DATA
from .bad_inputs import good_recording
from .test_cli_trends import stored  # noqa: F401  (the fixture: three stored sessions)
from .test_report_page import CORPUS, save_session

PLAN = QuestionInfo("Tell me about a plan you wrote.", kind="behavioral", id="beh-plan")
#: the words as Whisper writes them: a hyphenated word and a contraction in pieces
PIECES = ("I wrote a one -page plan and it 's the plan we used . We were never cold -hearted"
          " about customers and we cut complaints by 40 percent in two months .")


def run(*args):
    return CliRunner().invoke(cli, list(args))


# --- words joined as spoken ---------------------------------------------------------------


def test_pieces_join_to_the_word_before_but_a_dash_or_a_minus_number_stands_alone():
    assert join_words(["a", "one", "-page", "plan", "it", "'s", "do", "n't", "we", "'re",
                       "cold", "-hearted"]) == "a one-page plan it's don't we're cold-hearted"
    assert join_words(["it", "was", "-5", "outside", "-", "really"]) == "it was -5 outside - really"
    assert join_words(["'s", "first"]) == "'s first"
    assert join_words([]) == ""


def test_whisper_word_pieces_are_one_word_in_the_transcript():
    # faster-whisper writes a word's own pieces without the leading space of a new word
    pieces = [" I", " was", " cold", "-hearted", " and", " it", "'s", " a", " one", "-page",
              " plan", " -", " really."]
    words = [SimpleNamespace(word=w, start=i * 0.5, end=i * 0.5 + 0.4, probability=0.9 - i / 100)
             for i, w in enumerate(pieces)]
    segment = SimpleNamespace(words=words, no_speech_prob=0.01, avg_logprob=-0.2,
                              compression_ratio=1.2)
    kept, dropped = check_segments([segment], offset_s=0.0, settings=TranscriptionSettings())
    assert dropped == []
    assert [w.text for w in kept] == ["I", "was", "cold-hearted", "and", "it's", "a",
                                      "one-page", "plan", "-", "really."]
    cold = kept[2]
    assert (cold.start_s, cold.end_s, cold.probability) == (1.0, 1.9, 0.87)


def test_words_stored_in_pieces_read_joined_in_every_renderer(tmp_path):
    report = build_report(Transcript(words=timeline(PIECES), duration_s=20.0), question=PLAN)
    assert "one-page" in report["transcript"]["text"]
    assert "cold-hearted" in transcript_text(report).plain
    assert "it's" in transcript_text(report).plain
    # an evidence quote, as every finding's is made
    assert quote(tokenize(timeline(PIECES)), 9) == "I wrote a one-page plan and it's \u2026"

    # a report stored before words were joined keeps its text with the spaces: the
    # renderers read the words
    report["transcript"]["text"] = " ".join(w["text"] for w in report["transcript"]["words"])
    session_id = save_session([(PLAN, [(CORPUS, report)])])
    exported = run("export", str(session_id), "--format", "md")
    assert exported.exit_code == 0, exported.output
    assert "one-page plan" in exported.output and "cold-hearted" in exported.output
    assert " -page" not in exported.output and " -hearted" not in exported.output

    page = tmp_path / "page.html"
    written = run("report", str(session_id), "-o", str(page))
    assert written.exit_code == 0, written.output
    html = page.read_text()
    words = re.findall(r'<span class="w"[^>]*>([^<]*)</span>', html)
    assert "cold-hearted" in words and "one-page" in words and "it&#39;s" in words
    assert "-hearted" not in words


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_escapes_only_what_would_start_markup():
    plain = "Level -29 dBFS, pitch varies 9.9 semitones (steady) in the corpus. 3-4 takes! {ok}"
    assert escape(plain) == plain


MARKUP = ["<b>x</b>", "[a](b)", "**b** _i_ snake_case", "`code`", "# heading", "1. first",
          "12) twelfth", "- item", "+ item", "> quote", "a | b", "&amp; &#38;", "~~gone~~",
          "back\\slash \\*"]


@pytest.mark.parametrize("text", MARKUP)
def test_escaped_text_reads_as_written_in_a_list_a_quote_and_a_table(text):
    # rendered by markdown-it (rich's own Markdown parser), CommonMark with GFM tables
    markdown = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    shown = html.escape(text, quote=False)
    assert markdown.render("- " + escape(text)) == f"<ul>\n<li>{shown}</li>\n</ul>\n"
    assert markdown.render("> " + escape(text)) == (
        f"<blockquote>\n<p>{shown}</p>\n</blockquote>\n")
    table = markdown.render(f"| a | b |\n| --- | --- |\n| x | {escape(text)} |\n")
    assert f"<td>{shown}</td>" in table


# --- lists that show what they count ------------------------------------------------------


def test_ownership_names_only_what_was_said_and_no_empty_verdict():
    line = content_lines({"ownership": {"i_count": 1, "we_count": 0, "verdict": None}})
    assert line == ["Ownership: “I” + action ×1"]
    line = content_lines({"ownership": {"i_count": 2, "we_count": 3, "verdict": "shared"}})
    assert line == ["Ownership: “I” + action ×2, “we” + action ×3 (shared)"]


def test_terms_not_mentioned_are_all_named_or_counted():
    terms = ["python", "kafka", "sql", "docker", "aws", "terraform", "graphql", "redis"]
    coverage = {"total": 8, "matched_count": 0,
                "missing": [{"term": t, "kind": "skill"} for t in terms]}
    assert content_lines({"job": coverage}) == [
        "Job terms: 0 of 8 mentioned; not mentioned: python, kafka, sql, docker, aws,"
        " terraform and 2 more"]
    coverage = {"total": 3, "matched_count": 1, "missing": [{"term": "sql", "kind": "skill"},
                                                            {"term": "aws", "kind": "skill"}]}
    assert content_lines({"keywords": coverage}) == [
        "Question keywords: 1 of 3 mentioned; not mentioned: sql and aws"]


def test_results_and_hedges_count_what_they_do_not_show():
    results = {"count": 6, "concrete_count": 2,
               "items": [{"text": f"result {n}."} for n in range(1, 7)]}
    hedges = {"count": 5, "top": [{"text": t, "count": n} for t, n in
                                  (("i guess", 2), ("maybe", 1), ("kind of", 1), ("sort of", 1))]}
    assert content_lines({"results": results, "hedges": hedges}) == [
        "Results: 6 found, 2 concrete (“result 1”, “result 2”, “result 3”, “result 4” and 2 more)",
        "Hedges: 5 (“i guess” ×2, “maybe” ×1, “kind of” ×1 and 1 more)"]


@pytest.mark.usefixtures("stored")
def test_progress_names_the_top_filler_in_sessions_and_in_takes():
    result = run("progress")
    assert result.exit_code == 0, result.output
    assert "“um” was your top filler in 2 of 3 sessions and in 2 of 5 takes" in result.output
    assert "and of" not in result.output


# --- failures in one plain sentence -----------------------------------------------------


def test_a_text_file_given_to_analyze_is_named_in_one_plain_sentence(tmp_path):
    notes = tmp_path / "x.txt"
    notes.write_text("my answer, written down\n" * 20)
    result = run("analyze", str(notes))
    assert result.exit_code == 1
    # FFmpeg reads a text file as "ANSI art", a video with no sound; a JSON file it refuses
    assert result.output == (
        f"Error: {notes} is not an audio file mockview can read (FFmpeg finds no audio track"
        " in it). Give a WAV, FLAC, MP3, M4A or OGG recording, or convert it with:"
        " ffmpeg -i INPUT answer.wav\n")
    data = tmp_path / "answer.json"
    data.write_text('{"answer": "my answer, written down"}')
    result = run("analyze", str(data))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {data} is not an audio file mockview can read (FFmpeg: invalid data found when"
        " processing input). Give a WAV, FLAC, MP3, M4A or OGG recording, or convert it with:"
        " ffmpeg -i INPUT answer.wav\n")


def test_a_video_with_no_sound_is_named_in_one_plain_sentence(tmp_path):
    import av
    import numpy as np

    video = tmp_path / "interview.mp4"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), dtype=np.uint8), format="rgb24")
        for _ in range(5):
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    result = run("analyze", str(video))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {video} is not an audio file mockview can read (FFmpeg finds no audio track"
        " in it). Give a WAV, FLAC, MP3, M4A or OGG recording, or convert it with:"
        " ffmpeg -i INPUT answer.wav\n")


def test_a_failed_write_gives_the_reason_in_words_not_its_number(tmp_path):
    error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "take.wav"))
    assert why_writing_failed(tmp_path / "take.wav", error) == "No space left on device"


# --- Ctrl-C -------------------------------------------------------------------------------


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_while_analysing_says_nothing_was_saved(monkeypatch, mockview_home):
    monkeypatch.setattr("mockview.speech.transcription.load_model", interrupt)
    result = run("analyze", str(DATA / "jfk.flac"), "--save")
    assert result.exit_code == 130
    assert result.stderr.endswith("\nStopped: nothing was saved.\n")
    assert "Aborted!" not in result.output
    assert run("history", "--json").output.strip() == "[]"


def test_ctrl_c_while_saving_leaves_no_session_and_no_recording(monkeypatch, mockview_home):
    monkeypatch.setattr("mockview.store.Store.save_analysis", interrupt)
    path = good_recording(mockview_home.parent, "wav")  # quiet noise: no model needed
    result = run("analyze", str(path), "--save")
    assert result.exit_code == 130
    assert result.stderr.endswith("\nStopped: nothing was saved.\n")
    assert not list((mockview_home / "recordings").glob("*"))


def test_an_export_into_a_missing_folder_says_what_to_do(tmp_path):
    save_session([(PLAN, [(CORPUS, build_report(Transcript(words=timeline(PIECES),
                                                           duration_s=20.0), question=PLAN))])])
    out = tmp_path / "missing" / "session.md"
    result = run("export", "-o", str(out))
    assert result.exit_code == 1
    assert result.output == (f"Error: Cannot write {out}: No such file or directory. Check that"
                             " its folder exists and is yours, or choose another path with -o.\n")
