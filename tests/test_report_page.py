"""mockview report: the review page, opened in a real browser (Debian's chromium, driven by
Playwright), on sessions saved through the store with real audio.

The reports come from the analysis run on a hand-made transcript: the real monologue's
words at their forced-aligned times (its TextGrid), so the times in the page match the
audio without running the speech model; one test (marked model) runs the model too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from mockview.cli import cli
from mockview.playback import moments
from mockview.report import analyze_recording, build_report
from mockview.speech.audio import SAMPLE_RATE, load_audio
from mockview.store import Store
from mockview.words import QuestionInfo, Transcript, Word

from .audio_helpers import DATA
from .test_charts import assert_plain_value_axis
from .test_quality import textgrid_intervals
from .test_render_delivery import NOT_JUDGED, corpus_delivery, fade, flat, not_judged, quiet, rise

CORPUS = DATA / "acoustic_corpus.wav"
INTRO = QuestionInfo("Tell me about yourself.", kind="intro", id="intro-about-yourself",
                     tips=("Keep it about work.",))
WHY = QuestionInfo("Why do you want this role?", kind="motivation")
#: Seconds the page keeps a word lit after its end (HOLD_S in report.js).
HOLD_S = 0.15


# --- sessions in the store ----------------------------------------------------------------


def corpus_report(question: QuestionInfo | None = INTRO, *, repeat: int = 1,
                  replace: dict[int, str] | None = None) -> dict:
    """The monologue's report, from its aligned words, ``repeat`` times end to end.

    ``replace`` puts other text on words by position (to inject markup into one).
    """
    duration_s = sf.info(CORPUS).duration
    aligned = [(s, e, text) for s, e, text in textgrid_intervals(
        DATA / "acoustic_corpus.TextGrid") if text]
    words = [Word(text, start + n * duration_s, end + n * duration_s)
             for n in range(repeat) for start, end, text in aligned]
    for position, text in (replace or {}).items():
        words[position] = Word(text, words[position].start_s, words[position].end_s)
    transcript = Transcript(words=tuple(words), duration_s=duration_s * repeat)
    return build_report(transcript, question=question)


def save_session(answers, *, day: int = 1) -> int:
    """A practice session on 2026-03-<day>: ``answers`` is [(question, [(audio, report)])]."""
    at = f"2026-03-{day:02d}T09:00:00Z"
    with Store.open() as store:
        session_id = store.start_session(started_at_utc=at)
        for question, takes in answers:
            answer_id = store.add_answer(session_id, question)
            for audio, report in takes:
                store.add_take(answer_id, audio, report, recorded_at_utc=at)
    return session_id


def write_report(tmp_path: Path, *args: str) -> Path:
    path = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["report", *args, "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote {path} ({path.stat().st_size / 1024:,.0f} KB).\n"
    return path


@pytest.fixture
def one_session(tmp_path):
    """One session: the intro answered twice, a second answer once; its page."""
    session_id = save_session([(INTRO, [(CORPUS, corpus_report()), (CORPUS, corpus_report())]),
                               (WHY, [(CORPUS, corpus_report(WHY))])])
    return write_report(tmp_path, str(session_id))


def sounding_report(question: QuestionInfo | None = INTRO, *, uptalk_text: str | None = None,
                    delivery: dict | None = None) -> dict:
    """The monologue's report with its real delivery, and a finding of each kind added at
    its words' times (the monologue has no full stops, so it has no endings to measure)."""
    report = corpus_report(question)
    if delivery is None:
        delivery = corpus_delivery()
        delivery["pitch"]["flat_stretches"] = [flat(
            8.6, 13.9, "this is me talking really slow and slightly lower in intensity")
            .to_dict()]
        delivery["uptalk"].update(statements=3, rising=1, share=0.333, items=[
            rise(16.27, uptalk_text or "we're just saying some words").to_dict()])
        delivery["volume"]["fades"] = [fade(24.95, 25.25, "that should be all thanks")
                                       .to_dict()]
        delivery["volume"]["quiet_stretches"] = [quiet(19.5, 23.0, "here's some more words")
                                                 .to_dict()]
    report["metrics"]["delivery"] = delivery
    return report


@pytest.fixture
def sounding_session(tmp_path):
    """The intro with delivery findings; a second answer whose delivery was not judged."""
    session_id = save_session([(INTRO, [(CORPUS, sounding_report())]),
                               (WHY, [(CORPUS, sounding_report(WHY, delivery=not_judged()))])])
    return write_report(tmp_path, str(session_id))


# --- the browser ----------------------------------------------------------------------------


class Tab:
    """A browser page with every console error and every request off this machine noted."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.route("**/*", self._guard)

    def _guard(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def open(self, path: Path) -> Tab:
        self.page.goto(path.as_uri())
        self.page.wait_for_function("Array.from(document.querySelectorAll('.take:not([hidden])"
                                    " audio')).every(a => a.readyState >= 1)")
        return self

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def seeked(self, seconds: float) -> None:
        """Set the visible player's time and wait until the page has shown it."""
        self.js("""t => new Promise(done => {
            const audio = document.querySelector('.take:not([hidden]) audio');
            audio.addEventListener('seeked', () => requestAnimationFrame(done), {once: true});
            audio.currentTime = t; })""", seconds)


@pytest.fixture
def tab(chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    yield Tab(page)
    page.close()


def current_time(tab: Tab) -> float:
    return tab.js("document.querySelector('.take:not([hidden]) audio').currentTime")


def lit(tab: Tab) -> str | None:
    """The text of the lit word (or long pause) of the visible take."""
    return tab.js("document.querySelector('.take:not([hidden]) .now')?.textContent ?? null")


# --- the page in the browser ------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.browser
def test_page_loads_with_no_console_errors_and_no_requests(one_session, tab):
    tab.open(one_session)
    assert tab.errors == []
    assert tab.requests == []
    assert tab.page.title() == "Session 1 · mockview"
    assert tab.js("document.querySelectorAll('.answer').length") == 2
    # the latest take shows, the earlier one is a tab away
    assert tab.js("[...document.querySelectorAll('.take')].map(t => [t.id, t.hidden])") == [
        ["take-1-2", False], ["take-1-1", True], ["take-2-1", False]]
    assert tab.js("document.querySelector('audio').duration") == pytest.approx(26.72, abs=0.1)


@pytest.mark.browser
def test_what_the_answer_says_is_beside_each_take(one_session, tab):
    tab.open(one_session)
    lines = tab.js("[...document.querySelectorAll('.take:not([hidden]) .content li')]"
                   ".map(li => li.textContent)")
    assert any(line.startswith("Results:") for line in lines), lines
    assert any(line.startswith("Opening:") for line in lines), lines


@pytest.mark.smoke
@pytest.mark.browser
def test_how_it_sounds_is_beside_each_take(sounding_session, tab):
    tab.open(sounding_session)
    assert tab.errors == [] and tab.requests == []
    sections = tab.js("[...document.querySelectorAll('.take-side')].map(side =>"
                      " [...side.querySelectorAll('h3')].map(h => h.textContent))")
    for headings in sections:  # after what the answer says, like the terminal's panels
        assert headings.index("How it sounds (heuristic)") == \
            headings.index("What the answer says (heuristic)") + 1
    lines = tab.page.locator("#take-1-1 .delivery li").all_inner_texts()
    assert lines[0].startswith("Pitch: varies ")
    assert lines[1].startswith("0:09-0:14 flat (under 2 semitones): ")
    assert "0:16 “we're just saying some words” rose 5.1 semitones" in lines
    assert "0:25 faded 8 dB on the last word: “that should be all thanks”" in lines
    assert any(line.startswith("0:20-0:23 quiet (12 dB below your level)") for line in lines)
    assert "→ Let your pitch fall on the last word of a statement." in lines
    # evidence too weak: the note, and no verdicts
    assert tab.page.locator("#take-2-1 .delivery li").all_inner_texts() == [NOT_JUDGED]


@pytest.mark.browser
def test_a_take_without_delivery_has_no_how_it_sounds(one_session, tab):
    tab.open(one_session)
    assert tab.js("document.querySelectorAll('.delivery').length") == 0
    assert tab.js("document.querySelectorAll('.content').length") == 3


@pytest.mark.browser
def test_clicking_a_delivery_time_seeks_to_it(sounding_session, tab):
    words = corpus_report()["transcript"]["words"]
    tab.open(sounding_session)
    for label, seconds in (("0:16", 16.27), ("0:09-0:14", 8.6), ("0:25", 24.95),
                           ("0:20-0:23", 19.5)):
        tab.page.locator("#take-1-1 .delivery button.chip", has_text=label).click()
        assert current_time(tab) == pytest.approx(seconds, abs=0.05)
    tab.page.locator("#take-1-1 .delivery button.chip", has_text="0:16").click()
    assert lit(tab) == words[42]["text"] == "words"  # the rising word
    assert tab.errors == []


@pytest.mark.browser
def test_delivery_marks_on_the_timeline_are_not_arrow_key_stops(sounding_session, tab):
    tab.open(sounding_session)
    marks = tab.js("[...document.querySelectorAll('#take-1-1 .timeline .mark')]"
                   ".map(m => [m.classList[1], m.title, m.getBoundingClientRect().width])")
    delivery = {kind: (title, width) for kind, title, width in marks
                if kind in ("mark-flat", "mark-rise", "mark-fade", "mark-quiet")}
    assert {kind: title for kind, (title, _) in delivery.items()} == {
        "mark-flat": "flat pitch at 0:09", "mark-rise": "rising ending at 0:16",
        "mark-fade": "fading ending at 0:25", "mark-quiet": "quiet stretch at 0:20"}
    assert all(width >= 3 for _, width in delivery.values())
    found = moments(corpus_report())
    for moment in found:  # the arrows still step through fillers and long pauses only
        tab.page.keyboard.press("ArrowRight")
        assert current_time(tab) == pytest.approx(moment.start_s, abs=0.01)


@pytest.mark.browser
def test_markup_in_a_delivery_finding_shows_as_text_and_never_runs(tmp_path, tab):
    attack = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">"
    report = sounding_report(uptalk_text=attack)
    tab.open(write_report(tmp_path, str(save_session([(INTRO, [(CORPUS, report)])]))))
    assert tab.js("window.pwned") is None
    rising = tab.page.locator(".delivery li.finding-rise").inner_text()
    assert rising == f"0:16 “{attack}” rose 5.1 semitones"
    assert tab.js("document.querySelectorAll('main script, main img').length") == 0
    tab.page.locator(".delivery li.finding-rise button").click()  # the page's script runs
    assert current_time(tab) == pytest.approx(16.27, abs=0.05)
    assert tab.errors == [] and tab.requests == []


@pytest.mark.browser
def test_clicking_a_word_seeks_to_its_start(one_session, tab):
    report = corpus_report()
    tab.open(one_session)
    for index in (3, 30, 55):
        word = report["transcript"]["words"][index]
        tab.page.locator("#take-1-2 .transcript .w").nth(index).click()
        assert current_time(tab) == pytest.approx(word["start_s"], abs=0.05)
        assert lit(tab) == word["text"]


@pytest.mark.browser
def test_the_lit_word_follows_playback(one_session, tab):
    words = corpus_report()["transcript"]["words"]
    tab.open(one_session)
    for word in (words[5], words[30], words[-1]):
        tab.seeked((word["start_s"] + word["end_s"]) / 2)
        assert lit(tab) == word["text"]
    tab.seeked(words[10]["start_s"])
    tab.js("(() => { const a = document.querySelector('#take-1-2 audio');"
           " a.muted = true; return a.play(); })()")
    tab.page.wait_for_timeout(800)
    tab.js("document.querySelector('#take-1-2 audio').pause()")
    tab.page.wait_for_timeout(100)
    now = current_time(tab)
    assert now > words[10]["start_s"] + 0.5  # it did play
    spoken = [w for w in words if w["start_s"] <= now < w["end_s"] + HOLD_S]
    assert lit(tab) == spoken[-1]["text"]


@pytest.mark.browser
def test_clicking_the_timeline_seeks(one_session, tab):
    tab.open(one_session)
    timeline = tab.page.locator("#take-1-2 .timeline")
    box = timeline.bounding_box()
    for share in (0.25, 0.8):
        timeline.click(position={"x": box["width"] * share, "y": box["height"] / 2})
        assert current_time(tab) == pytest.approx(share * 26.72, abs=0.1)
    playhead = tab.js("document.querySelector('#take-1-2 .playhead').style.left")
    assert float(playhead.rstrip("%")) == pytest.approx(80, abs=0.5)


@pytest.mark.browser
def test_arrow_keys_jump_between_fillers_and_long_pauses(one_session, tab):
    found = moments(corpus_report())
    assert [m.kind for m in found] == ["filler", "pause", "filler"]  # "um", 1.2 s, "um"
    tab.open(one_session)
    for moment in found:
        tab.page.keyboard.press("ArrowRight")
        assert current_time(tab) == pytest.approx(moment.start_s, abs=0.01)
        assert lit(tab) == moment.label  # "um", or "1.2 s pause"
    tab.page.keyboard.press("ArrowRight")  # past the last one: stays
    assert current_time(tab) == pytest.approx(found[-1].start_s, abs=0.01)
    tab.page.keyboard.press("ArrowLeft")
    assert current_time(tab) == pytest.approx(found[-2].start_s, abs=0.01)


@pytest.mark.browser
def test_keys_work_with_the_focus_on_the_player(one_session, tab):
    starts = [m.start_s for m in moments(corpus_report())]
    tab.open(one_session)
    tab.js("document.querySelector('#take-1-2 audio').muted = true")
    tab.page.focus("#take-1-2 audio")
    tab.page.keyboard.press("ArrowRight")
    assert current_time(tab) == pytest.approx(starts[0], abs=0.01)
    tab.page.keyboard.press(" ")
    tab.page.wait_for_function("!document.querySelector('#take-1-2 audio').paused")
    tab.page.keyboard.press(" ")
    assert tab.js("document.querySelector('#take-1-2 audio').paused") is True
    assert tab.errors == []


@pytest.mark.browser
def test_an_earlier_take_is_a_tab_away(one_session, tab):
    tab.open(one_session)
    tab.page.get_by_role("tab", name="Take 1").click()
    assert tab.js("[document.querySelector('#take-1-1').hidden,"
                  " document.querySelector('#take-1-2').hidden]") == [False, True]
    tab.page.locator("#take-1-1 .transcript .w").nth(3).click()
    tab.page.keyboard.press("ArrowRight")  # the keys now act on the take in view
    first = moments(corpus_report())[0].start_s
    assert tab.js("document.querySelector('#take-1-1 audio').currentTime") == pytest.approx(
        first, abs=0.01)


def silent_take(tmp_path: Path, question: QuestionInfo | None) -> tuple[Path, dict]:
    """A 4 s take of silence, and its report: no speech was found."""
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(4 * SAMPLE_RATE, dtype=np.float32), SAMPLE_RATE)
    return path, build_report(Transcript(words=(), duration_s=4.0), question=question)


@pytest.mark.browser
def test_the_page_opens_on_the_latest_take_with_speech(tmp_path, tab):
    """Issue 13: take 1 held the answer, takes 2 and 3 found no speech; the page opens on
    take 1, the empty takes are kept and marked. An answer with only empty takes opens on
    its latest."""
    empty = silent_take(tmp_path, INTRO)
    session_id = save_session([(INTRO, [(CORPUS, corpus_report()), empty, empty]),
                               (WHY, [silent_take(tmp_path, WHY)] * 2)])
    tab.open(write_report(tmp_path, str(session_id)))
    assert tab.errors == []
    assert tab.js("[...document.querySelectorAll('.take')].map(t => [t.id, t.hidden])") == [
        ["take-1-3", True], ["take-1-2", True], ["take-1-1", False],
        ["take-2-2", False], ["take-2-1", True]]
    tabs = tab.js("[...document.querySelectorAll('[role=tab]')].map(t =>"
                  " [t.textContent, t.getAttribute('aria-selected'), t.className])")
    assert tabs == [
        ["Take 3 · 0:04 · no speech (latest)", "false", "no-speech"],
        ["Take 2 · 0:04 · no speech", "false", "no-speech"],
        ["Take 1 · 0:27 (latest with speech)", "true", ""],
        ["Take 2 · 0:04 · no speech (latest)", "true", "no-speech"],
        ["Take 1 · 0:04 · no speech", "false", "no-speech"]]
    assert tab.page.locator("#answer-1 .take-choice").inner_text() == (
        "Takes 2 and 3 found no speech, so take 1 stands for this answer.")
    assert tab.page.locator("#answer-2 .take-choice").count() == 0
    # the visible take is the answer: its words, and the keys act on its player
    assert tab.page.locator(".take:not([hidden]) .transcript .w").first.is_visible()
    tab.page.keyboard.press("ArrowRight")
    first = moments(corpus_report())[0].start_s
    assert tab.js("document.querySelector('#take-1-1 audio').currentTime") == pytest.approx(
        first, abs=0.01)
    # an empty take is kept, a tab away, and says what happened
    tab.page.get_by_role("tab", name="Take 3").click()
    assert tab.page.locator("#take-1-3").is_visible()
    assert "No speech was found in this recording." in tab.page.locator(
        "#take-1-3").inner_text()


@pytest.mark.browser
def test_charts_of_progress_render_as_svg(tmp_path, tab):
    for day in (1, 2, 3):
        session_id = save_session([(INTRO, [(CORPUS, corpus_report())])], day=day)
    tab.open(write_report(tmp_path, str(session_id)))
    sizes = tab.js("[...document.querySelectorAll('.chart svg')].map(s => {"
                   " const r = s.getBoundingClientRect(); return [r.width, r.height]; })")
    assert len(sizes) == 3
    assert all(width > 100 and height > 50 for width, height in sizes)
    captions = tab.page.locator(".chart figcaption strong").all_text_contents()
    assert captions == ["Fillers per minute", "Pace", "Within length target"]
    ids = tab.js("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))  # three figures, no id twice
    assert tab.errors == []


@pytest.mark.browser
def test_a_single_session_says_there_is_no_progress_yet(one_session, tab):
    tab.open(one_session)
    assert tab.js("document.querySelectorAll('svg').length") == 0
    note = tab.page.locator("#progress-title + p").inner_text()
    assert note.startswith("Only one session is stored so far")


@pytest.mark.browser
def test_markup_in_a_question_a_word_or_a_tip_shows_as_text_and_never_runs(tmp_path, tab):
    attack = "<script>window.pwned = 1</script>"
    image = "<img src=x onerror=\"window.pwned = 2\">"
    question = QuestionInfo(f"Why us? {attack}", kind="motivation", tips=(image,))
    report = corpus_report(question, replace={4: attack, 5: image})
    tab.open(write_report(tmp_path, str(save_session([(question, [(CORPUS, report)])]))))
    assert tab.js("window.pwned") is None
    assert tab.page.locator(".question").inner_text() == f"Why us? {attack}"
    assert tab.page.locator(".transcript .w").nth(4).inner_text() == attack
    assert tab.page.locator(".transcript .w").nth(5).inner_text() == image
    assert image in tab.page.locator(".bank-tips").inner_text()
    assert tab.js("document.querySelectorAll('main script, main img').length") == 0
    assert tab.errors == [] and tab.requests == []


@pytest.mark.browser
def test_only_the_pages_own_script_may_run(one_session, tab):
    """Defence in depth: a script that got into the page unescaped is refused by its
    Content-Security-Policy, while the page's own script still works."""
    tampered = one_session.with_name("tampered.html")
    tampered.write_text(one_session.read_text().replace(
        "<main>", "<main><script>window.pwned = 1</script>", 1))
    tab.open(tampered)
    assert tab.js("window.pwned") is None
    assert any("Content Security Policy" in error for error in tab.errors)
    tab.page.locator("#take-1-2 .transcript .w").nth(3).click()
    assert current_time(tab) > 0


@pytest.mark.browser
def test_the_progress_page(tmp_path, tab):
    for day in (1, 2):
        save_session([(INTRO, [(CORPUS, corpus_report())])], day=day)
    tab.open(write_report(tmp_path, "--progress"))
    assert tab.page.title() == "Your progress · mockview"
    assert tab.js("document.querySelectorAll('.chart svg').length") == 3
    rows = tab.page.locator("#sessions-title ~ table tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["2", "1"]
    assert tab.errors == [] and tab.requests == []


@pytest.mark.browser
def test_the_progress_pages_charts_name_real_sessions_on_plain_axes(tmp_path, tab):
    for day in (1, 2, 3):
        save_session([(INTRO, [(CORPUS, corpus_report())])], day=day)
    with Store.open() as store:
        store.delete_session(1)
    tab.open(write_report(tmp_path, "--progress"))
    axes = tab.js("""[...document.querySelectorAll('.chart svg')].map(svg => ({
        x: [...svg.querySelectorAll('g[id*="xtick_"] text')].map(t => t.textContent.trim()),
        y: [...svg.querySelectorAll('g[id*="ytick_"] text')].map(t => t.textContent.trim()),
    }))""")
    captions = tab.page.locator(".chart figcaption strong").all_text_contents()
    assert captions == ["Fillers per minute", "Pace", "Within length target"]
    assert [a["x"] for a in axes] == [["2", "3"]] * 3
    fillers, pace, share = (a["y"] for a in axes)
    assert_plain_value_axis("fillers per minute", fillers)
    assert_plain_value_axis("pace", pace)
    assert_plain_value_axis("within length target", share)
    assert tab.errors == []


@pytest.mark.browser
def test_five_two_minute_answers_fit_in_10_mb(tmp_path, tab):
    """Five 2-minute answers (the monologue tiled), each with its audio embedded."""
    repeat = 5  # 5 x 26.7 s: a little over two minutes
    long_audio = tmp_path / "long.wav"
    sf.write(long_audio, np.tile(load_audio(CORPUS), repeat), SAMPLE_RATE)
    report = corpus_report(repeat=repeat)
    session_id = save_session([(INTRO, [(long_audio, report)])] * 5)
    path = write_report(tmp_path, str(session_id))
    size_mb = path.stat().st_size / 1e6
    print(f"five answers of {report['audio']['duration_s']:.0f} s: {size_mb:.2f} MB")
    assert size_mb < 10
    tab.open(path)
    durations = tab.js("[...document.querySelectorAll('audio')].map(a => a.duration)")
    assert durations == [pytest.approx(report["audio"]["duration_s"], abs=0.1)] * 5
    assert tab.errors == []


@pytest.mark.browser
def test_screenshot_of_the_page(tmp_path, tab):
    for day in (1, 2, 3):  # fewer "um"s each day, so that the charts show a trend
        fewer = corpus_report(replace=dict.fromkeys(range(10, 10 + 3 * (3 - day)), "um"))
        session_id = save_session([(INTRO, [(CORPUS, fewer), (CORPUS, sounding_report())]),
                                   (WHY, [(CORPUS, corpus_report(WHY))])], day=day)
    tab.open(write_report(tmp_path, str(session_id)))
    tab.seeked(5.0)
    shot = tmp_path / "report-page.png"
    tab.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    if os.environ.get("MOCKVIEW_SCREENSHOT_DIR"):
        folder = Path(os.environ["MOCKVIEW_SCREENSHOT_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, folder / shot.name)


@pytest.mark.browser
@pytest.mark.model
def test_a_real_analysis_plays_in_the_page(tmp_path, tab):
    report = analyze_recording(DATA / "jfk.flac")
    with Store.open() as store:
        session_id = store.save_analysis(DATA / "jfk.flac", report)
    tab.open(write_report(tmp_path, str(session_id)))
    words = report["transcript"]["words"]
    assert tab.page.locator(".transcript .w").all_inner_texts() == [w["text"] for w in words]
    tab.page.locator(".transcript .w").nth(6).click()
    assert current_time(tab) == pytest.approx(words[6]["start_s"], abs=0.05)
    assert tab.errors == []


# --- errors, and the command line without a browser -----------------------------------------


def run(*args):
    return CliRunner().invoke(cli, ["report", *args])


@pytest.mark.parametrize("args,code,message", [
    (["7"], 1, "Error: No session 7. List your sessions with: mockview history\n"),
    ([], 1, "Error: No recorded answers yet. Start a session with: mockview practice (or keep"
            " a recording with: mockview analyze FILE --save)\n"),
    (["3", "--progress"], 2, "Error: Give a session or --progress, not both.\n"),
    (["--progress"], 1, "Error: No sessions yet. Start one with: mockview practice (or keep a"
                        " recording with: mockview analyze FILE --save)\n"),
])
def test_nothing_to_report(args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert result.output.endswith(message)


def test_a_session_with_no_takes():
    with Store.open() as store:
        session_id = store.start_session()
    result = run(str(session_id))
    assert result.exit_code == 1
    assert result.output == (f"Error: Session {session_id} has no recorded takes, so there is "
                             "nothing to review. See your sessions with: mockview history\n")


def test_a_missing_recording_gets_a_note_and_the_page_is_written(tmp_path):
    session_id = save_session([(INTRO, [(CORPUS, corpus_report())]),
                               (WHY, [(CORPUS, corpus_report(WHY))])])
    with Store.open() as store:
        lost = store.take(session_id, 2).audio_path
    lost.unlink()
    path = tmp_path / "page.html"
    result = run(str(session_id), "-o", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: Not every recording could go into the page; it has a note in their place. "
        f"Answer 2, take 1: The recording {lost} is missing.")
    html = path.read_text()
    assert html.count("<audio ") == 1
    assert f"The recording {lost} is missing." in html


@pytest.mark.parametrize("where,message", [
    ("missing/page.html", "Cannot write {path}: the folder {parent} does not exist. Create it "
                          "first, or give another path with -o."),
    ("", "{path} is a folder. Give a file name, for example {path}/review.html."),
])
def test_a_bad_output_path_fails_before_any_work(tmp_path, where, message):
    session_id = save_session([(INTRO, [(None, corpus_report())])])
    path = tmp_path / where
    result = run(str(session_id), "-o", str(path))
    assert result.exit_code == 1
    assert result.output == "Error: " + message.format(path=path, parent=path.parent) + "\n"


def test_an_unwritable_folder(tmp_path):
    session_id = save_session([(INTRO, [(None, corpus_report())])])
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root may write into any folder on disk, but not into /sys
        folder = Path("/sys")
    result = run(str(session_id), "-o", str(folder / "page.html"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot write {folder / 'page.html'}: ")
    assert result.output.endswith("Give a path in a folder you can write to with -o.\n")
    assert result.output.count("\n") == 1


def test_default_file_name_and_open(tmp_path, monkeypatch):
    session_id = save_session([(INTRO, [(None, corpus_report())])])
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    monkeypatch.chdir(tmp_path)
    result = run(str(session_id), "--open")
    assert result.exit_code == 0, result.output
    path = tmp_path / f"mockview-session-{session_id}.html"
    assert result.stderr.startswith(f"Wrote mockview-session-{session_id}.html (")
    assert opened == [path.as_uri()]
    assert "No recording was kept for this take." in path.read_text()
    assert run("--progress").exit_code == 0
    assert (tmp_path / "mockview-progress.html").exists()


@pytest.mark.browser
def test_each_take_leads_with_what_went_well_and_keeps_every_panel(one_session, tab):
    from mockview.strengths import strengths

    tab.open(one_session)
    assert tab.errors == []
    headings = tab.js("[...document.querySelector('#take-1-2 .take-side')"
                      ".querySelectorAll('h3')].map(h => h.textContent)")
    assert headings[0] == "What went well"
    assert "What the answer says (heuristic)" in headings and "What to work on" in headings
    shown = tab.page.locator("#take-1-2 .strengths li").all_inner_texts()
    assert shown == [f"{s['label']}: {s['evidence']}" for s in strengths(corpus_report())]
    assert shown[0] == "Pace: 144 wpm, in the 120-160 wpm range"
