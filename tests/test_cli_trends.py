"""``mockview compare`` and ``mockview progress`` through the CLI, on a store in a temp dir."""

import json

import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.report import build_report
from mockview.store import Store
from mockview.trends import SESSION_METRICS
from mockview.words import QuestionInfo

from .analysis_helpers import CONCISE, transcript

WHY = QuestionInfo("Why do you want this role?", kind="motivation", id="fit-why-this-role")
INTRO = QuestionInfo("Tell me about yourself.", kind="intro", id="intro-about-yourself")

MESSY = ("Um, I want this role because, um, it joins my two strengths, data and teaching."
         " [1.5] At my last job I, like, built dashboards that the [1.2] sales team used"
         " daily. Uh, I also ran weekly training sessions for new analysts. So, um, this"
         " role combines both.")


def run(*args):
    return CliRunner().invoke(cli, list(args))


def report(text, question=WHY):
    return build_report(transcript(text), question=question)


def save(store, day, answers, *, source="practice"):
    """One session on 2026-01-<day> with (question, category, [texts of its takes])."""
    session_id = store.start_session(source, started_at_utc=f"2026-01-{day:02d}T09:00:00Z")
    for n, (question, category, texts) in enumerate(answers, 1):
        answer_id = store.add_answer(session_id, question, category=category)
        for t, text in enumerate(texts, 1):
            store.add_take(answer_id, None, report(text, question),
                           recorded_at_utc=f"2026-01-{day:02d}T09:{n:02d}:{t:02d}Z")
    return session_id


@pytest.fixture
def stored():
    """Session 1: a messy answer retried cleanly; sessions 2 and 3: clean answers."""
    with Store.open() as store:
        save(store, 5, [(WHY, "motivation-and-fit", [MESSY, CONCISE])])
        save(store, 8, [(WHY, "motivation-and-fit", [MESSY]),
                        (INTRO, "self-introduction", [CONCISE])])
        save(store, 12, [(WHY, "motivation-and-fit", [CONCISE])])


# --- compare --------------------------------------------------------------------------------


def test_compare_two_takes(stored):
    result = run("compare", "1:1:1", "1:1:2")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "take 1:1:1" in output and "take 1:1:2" in output
    assert "fillers per minute" in output and "better" in output
    assert "Transcript: A → B" in output
    assert "Note:" not in output


def test_compare_takes_json_has_metrics_and_word_diff(stored):
    result = run("compare", "1:1:1", "1:1", "--json")  # 1:1 is its latest take, 1:1:2
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"kind", "a", "b", "metrics", "notes", "diff"}
    assert data["kind"] == "takes"
    assert (data["a"]["spec"], data["b"]["spec"]) == ("1:1:1", "1:1:2")
    assert data["b"]["question_id"] == "fit-why-this-role"
    fillers = next(m for m in data["metrics"] if m["key"] == "fillers_per_minute")
    assert fillers["a"] > 10 and fillers["b"] == 0.0 and fillers["outcome"] == "better"
    assert fillers["relative_change"] == -1.0
    ops = {op["op"] for op in data["diff"]}
    assert "equal" in ops and ops <= {"equal", "delete", "insert", "replace"}
    removed = [w for op in data["diff"] if op["op"] in ("delete", "replace") for w in op["a"]]
    assert "Um," in removed
    assert data["notes"] == []


def test_compare_takes_of_different_questions_notes_it(stored):
    result = run("compare", "2:1", "2:2", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["notes"] == [
        "A and B answer different questions (fit-why-this-role and intro-about-yourself):"
        " the numbers and the word diff compare two different answers."]
    assert "Note: A and B answer different questions" in run("compare", "2:1", "2:2").output


def test_compare_two_sessions(stored):
    result = run("compare", "1", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "sessions" and data["diff"] is None
    assert (data["a"]["answer_count"], data["a"]["take_count"]) == (1, 2)
    keys = [m["key"] for m in data["metrics"]]
    assert keys[:7] == ["fillers_per_minute", "fillers_per_100_words", "words_per_minute",
                        "long_pauses_per_answer", "pause_ratio", "within_target_share",
                        "rambling_share"]
    assert keys == [m.key for m in SESSION_METRICS]
    fillers = data["metrics"][0]
    assert fillers["outcome"] == "better" and fillers["b"] == 0.0
    table = run("compare", "1", "3")
    assert table.exit_code == 0
    assert "session 1" in table.output and "session 3" in table.output
    assert "Transcript" not in table.output


def test_session_numbers_agree_with_history(stored):
    history = {s["session_id"]: s for s in json.loads(run("history", "--json").output)}
    compared = json.loads(run("compare", "1", "2", "--json").output)
    values = {m["key"]: (m["a"], m["b"]) for m in compared["metrics"]}
    for side, session_id in enumerate((1, 2)):
        summary = history[session_id]
        assert values["fillers_per_minute"][side] == pytest.approx(
            summary["fillers_per_minute"], abs=0.01)
        assert values["words_per_minute"][side] == pytest.approx(
            summary["words_per_minute"], abs=0.1)
        assert values["within_target_share"][side] == pytest.approx(
            summary["within_target_share"], abs=0.001)


@pytest.mark.parametrize("a,b,message", [
    ("12:x", "1", "Error: '12:x' is not a session, answer or take. Give SESSION (12, or"
                  " last, -1 for the latest), SESSION:ANSWER (12:2, its latest take with"
                  " speech) or SESSION:ANSWER:TAKE (12:2:1); see: mockview history.\n"),
    ("1", "1:1", "Error: Cannot compare 1 with 1:1: compare two sessions (12 15) or two"
                 " answers or takes (12:2 15:1), not a session with a take.\n"),
    ("1", "99", "Error: No session 99. List your sessions with: mockview history\n"),
])
def test_compare_bad_input_is_one_clear_line(stored, a, b, message):
    result = run("compare", a, b)
    assert result.exit_code == 1
    assert result.output == message


def test_compare_missing_answer_or_take(stored):
    result = run("compare", "1:1:1", "1:1:7")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Answer 1 of session 1 has no take 7")
    result = run("compare", "1:5", "1:1")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Session 1 has no answer 5")


# --- progress -------------------------------------------------------------------------------


def test_progress_on_an_empty_store():
    result = run("progress")
    assert result.exit_code == 0, result.output
    assert result.output == ("No sessions yet. Start one with: mockview practice (or keep a "
                             "recording with: mockview analyze FILE --save)\n")


def test_progress_json_on_an_empty_store_is_clean_json():
    result = CliRunner().invoke(cli, ["progress", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["session_count"], data["sessions_needed"]) == (0, 2)
    assert "No sessions yet" in result.stderr


def test_progress_with_one_session_says_how_many_more():
    with Store.open() as store:
        save(store, 5, [(WHY, "motivation-and-fit", [MESSY])])
    result = run("progress")
    assert result.exit_code == 0, result.output
    assert "A trend needs at least 2 sessions; you have 1. Practise 1 more session" in \
        result.output
    assert json.loads(run("progress", "--json").output)["sessions_needed"] == 1


def test_progress_table_and_patterns(stored):
    result = run("progress")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Progress over 3 sessions" in output
    assert "fillers per minute" in output and "improving" in output
    assert "“um” was your top filler in 2 of 3 sessions" in output
    assert "Long pauses: 4 in all" in output
    assert "Never practised: " in output and " of 93 questions" in output


def test_progress_json_shape_and_numbers(stored):
    result = run("progress", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["session_count"] == 3 and data["take_count"] == 5
    assert [s["session_id"] for s in data["sessions"]] == [1, 2, 3]
    fillers = next(t for t in data["trends"] if t["key"] == "fillers_per_minute")
    assert fillers["window"] == 1 and fillers["recent"] == 0.0
    assert fillers["direction"] == "improving"
    patterns = data["patterns"]
    assert patterns["top_filler"] == {"text": "um", "sessions_top": 2, "session_count": 3,
                                      "takes_top": 2, "take_count": 5}
    assert patterns["long_pause_positions"]["long_count"] == 4
    assert patterns["long_pause_positions"]["takes_read"] == 5
    never = {q["id"] for q in patterns["never_practised"]}
    assert "fit-why-this-role" not in never and "intro-about-yourself" not in never
    assert len(never) == patterns["question_pool"] - 2
    assert {k["kind"] for k in patterns["kinds"]} == {"motivation", "intro"}


@pytest.fixture
def utc_clock(local_zone):
    """Local time is UTC, so --since days start where the stored times say."""
    local_zone("UTC")


def test_progress_filters(stored, utc_clock):
    data = json.loads(run("progress", "--category", "self-introduction", "--json").output)
    assert data["take_count"] == 1
    assert all(q["category"] == "self-introduction"
               for q in data["patterns"]["never_practised"])
    data = json.loads(run("progress", "--question", "fit-why-this-role", "--json").output)
    assert data["take_count"] == 4 and data["patterns"]["never_practised"] is None
    data = json.loads(run("progress", "--since", "2026-01-08", "--json").output)
    assert [s["session_id"] for s in data["sessions"]] == [2, 3]
    assert data["filters"]["since_utc"] == "2026-01-08T00:00:00Z"


def test_progress_filter_that_matches_nothing(stored):
    result = run("progress", "--category", "leadership", "--since", "2026-01-01")
    assert result.exit_code == 0
    assert result.output == ("No saved answers match --category leadership --since 2026-01-01."
                             " See what is stored with: mockview history\n")


@pytest.mark.parametrize("args,message", [
    (("--since", "01/02/2026"), "Error: --since '01/02/2026' is not a date. Give it as"
                                " YYYY-MM-DD, for example 2026-01-31.\n"),
    (("--plot", "chart.jpg"), "Error: --plot chart.jpg: the chart is a PNG image. Give a"
                              " file name ending in .png, for example progress.png.\n"),
])
def test_progress_bad_options(args, message):
    result = run("progress", *args)
    assert result.exit_code == 1
    assert result.output == message


def test_progress_question_and_category_together_is_a_usage_error():
    result = run("progress", "--question", "x", "--category", "y")
    assert result.exit_code == 2
    assert "Give either --question or --category, not both." in result.output


def test_progress_plot_writes_a_png(stored, tmp_path):
    path = tmp_path / "progress.png"
    result = CliRunner().invoke(cli, ["progress", "--plot", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote the chart to {path}\n"
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width > 800 and height > 400


def test_progress_plot_into_a_missing_folder(stored, tmp_path):
    path = tmp_path / "nowhere" / "progress.png"
    result = run("progress", "--plot", str(path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot write the chart to {path}: ")
    assert result.output.endswith("Check that the folder exists and that you can write to"
                                  " it.\n")


def test_progress_plot_with_no_sessions(tmp_path):
    path = tmp_path / "progress.png"
    result = CliRunner().invoke(cli, ["progress", "--plot", str(path)])
    assert result.exit_code == 0
    assert "No chart written: there are no sessions to draw." in result.stderr
    assert not path.exists()


def test_progress_reads_pause_positions_from_recent_reports_only(stored, monkeypatch):
    monkeypatch.setattr("mockview.trends.RECENT_REPORTS", 2)
    data = json.loads(run("progress", "--json").output)
    assert data["patterns"]["long_pause_positions"]["takes_read"] == 2
    assert data["take_count"] == 5


# --- rendering helpers ----------------------------------------------------------------------


def test_changes_read_with_their_sign_and_unit():
    from mockview.render.trends import format_change
    from mockview.trends import SESSION_METRICS, TAKE_METRICS

    metric = {m.key: m for m in SESSION_METRICS + TAKE_METRICS}
    assert format_change(metric["fillers_per_minute"], -1.24, -0.4) == "-1.2/min (-40%)"
    assert format_change(metric["fillers_per_minute"], -1.24, -0.4, compact=True) == "-40%"
    assert format_change(metric["fillers_per_minute"], 0.01, 0.002) == "±0.0/min"
    assert format_change(metric["within_target_share"], 0.25, 0.5) == "+25 pts"
    assert format_change(metric["words_per_minute"], 12.0, None) == "+12 wpm"
    assert format_change(metric["duration_s"], -90.0, -0.45) == "-1:30"
    assert format_change(metric["pause_ratio"], None, None) == "-"


def test_sparkline():
    from mockview.render.trends import sparkline

    assert sparkline([1, 2, 3, None, 8]) == "▁▂▃ █"
    assert sparkline([5, 5]) == "▅▅"
    assert sparkline([None]) == ""
    assert sparkline(list(range(30)), width=4) == "…▁▃▆█"


def test_progress_table_leaves_out_the_sparkline_when_narrow(stored):
    wide = CliRunner().invoke(cli, ["progress"], env={"COLUMNS": "120"})
    narrow = CliRunner().invoke(cli, ["progress"], env={"COLUMNS": "80"})
    assert "sessions" in wide.output.splitlines()[2]
    assert "sessions" not in narrow.output.splitlines()[2]
    assert "improving" in narrow.output and "…" not in narrow.output.split("Patterns")[0]


# --- what the answer says, how it sounded, and a job description ------------------------------

BEHAVIORAL = QuestionInfo("Tell me about a time you disagreed with a colleague.",
                          kind="behavioral", id="beh-disagree")
NO_RESULT = (
    "Last year our team had a release deadline and the data pipeline kept failing. My task"
    " was to fix it before launch. I guess I kind of rewrote the retry logic and maybe I"
    " added alerts, I think, and we sort of talked to people and we reviewed it, and we"
    " looked at it again and I guess that's it.")
FULL = (
    "Last year our team had a release deadline and the data pipeline kept failing. My task"
    " was to fix it before launch. I rewrote the retry logic in Python and I added alerts,"
    " and I led the review with the product owner. As a result we cut failures by 80"
    " percent and shipped on time.")
MONOTONE = {"judged": True, "note": None, "speech_s": 40.0,
            "pitch": {"variation_semitones": 1.2, "monotone": True},
            "uptalk": {"statements": 4, "rising": 2, "share": 0.5},
            "volume": {"fades": [{"text": "time"}], "sentences_measured": 4,
                       "quiet_stretches": []}}


def save_behavioral(store, day, text, *, content=True, delivery=None):
    session_id = store.start_session(started_at_utc=f"2026-02-{day:02d}T09:00:00Z")
    answer_id = store.add_answer(session_id, BEHAVIORAL, category="behavioral")
    made = report(text, BEHAVIORAL)
    if not content:  # as mockview wrote it before content analysis
        del made["metrics"]["content"]
    made["metrics"]["delivery"] = delivery
    store.add_take(answer_id, None, made, recorded_at_utc=f"2026-02-{day:02d}T09:01:00Z")


@pytest.fixture
def behavioral_history():
    """Feb 1: before content analysis; Feb 3 and 5: the Result missing, hedging; Feb 8 and
    10: complete, and Feb 10 measured for delivery (monotone, rising)."""
    with Store.open() as store:
        save_behavioral(store, 1, NO_RESULT, content=False)
        save_behavioral(store, 3, NO_RESULT)
        save_behavioral(store, 5, NO_RESULT)
        save_behavioral(store, 8, FULL)
        save_behavioral(store, 10, FULL, delivery=MONOTONE)


def test_progress_follows_what_the_answers_say(behavioral_history):
    result = run("progress")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "what you said" in output and "how it sounded" in output
    star = next(line for line in output.splitlines() if "STAR parts missing" in line)
    assert "1.0" in star and "0.0" in star and "improving" in star
    assert "Behavioral answers most often miss the Result: in 2 of 4 takes." in output
    assert "Hedging: 2 of 4 takes hedge often" in output and "“I guess” ×4" in output
    flowing = " ".join(output.replace("│", " ").split())  # the panel wraps long lines
    assert ("Voice, in the 1 session measured for delivery: monotone in 1, statements rising"
            " at the end in 1.") in flowing


def test_progress_json_has_the_new_trends_and_patterns(behavioral_history):
    data = json.loads(run("progress", "--json").output)
    trends = {t["key"]: t for t in data["trends"]}
    assert trends["star_missing_per_answer"]["first"] == 1.0
    assert trends["star_missing_per_answer"]["recent"] == 0.0
    assert trends["star_missing_per_answer"]["direction"] == "improving"
    assert trends["conclusion_share"]["direction"] == "improving"
    assert trends["monotone_share"]["direction"] == "not_enough_data"
    sessions = data["sessions"]
    assert sessions[0]["metrics"]["hedges_per_100_words"] is None  # before content analysis
    assert sessions[4]["metrics"]["monotone_share"] == 1.0
    patterns = data["patterns"]
    assert patterns["star"] == {"judged_takes": 4, "most_missing": {"part": "result",
                                                                    "takes": 2},
                                "missing": {"situation": 0, "task": 0, "action": 0,
                                            "result": 2}}
    assert patterns["hedges"]["takes_often"] == 2
    assert patterns["voice"] == {"sessions": 1, "monotone_sessions": 1, "uptalk_sessions": 1}
    assert data["job"] is None


def test_progress_of_a_store_from_before_content_analysis(mockview_home):
    with Store.open() as store:
        for day in (1, 2, 3):
            save_behavioral(store, day, NO_RESULT, content=False)
    result = run("progress")
    assert result.exit_code == 0, result.output
    assert "what you said" not in result.output and "how it sounded" not in result.output
    assert "STAR" not in result.output and "edging" not in result.output
    data = json.loads(run("progress", "--json").output)
    assert all(t["first"] is None for t in data["trends"]
               if t["key"] in ("hedges_per_100_words", "star_missing_per_answer"))


JOB_TEXT = ("# Backend Engineer\n\nWe want Python, data pipelines and Kubernetes.\n"
            "Python and Kubernetes every day.\n")


def test_progress_job_says_which_terms_your_answers_use(behavioral_history, tmp_path):
    job = tmp_path / "job.md"
    job.write_text(JOB_TEXT)
    result = run("progress", "--job", str(job))
    assert result.exit_code == 0, result.output
    panel = result.output[result.output.index("Job: Backend Engineer"):]
    lines = [line.strip("│ ") for line in panel.splitlines()]
    assert "2 of 4 key terms said in your 5 takes." in lines
    assert any(line.startswith("data pipelines  in 5 of 5") for line in lines)
    assert any(line.startswith("Python  in 2 of 5") and "take 5:1:1" in line
               for line in lines)
    assert "Never said: backend engineer, Kubernetes." in lines  # the title is a term


def test_a_job_title_is_shown_as_written_not_as_markup(behavioral_history, tmp_path):
    job = tmp_path / "job.md"
    job.write_text(JOB_TEXT.replace("# Backend Engineer", "# Data Engineer [remote] :rocket:"))
    result = run("progress", "--job", str(job))
    assert result.exit_code == 0, result.output
    assert "Job: Data Engineer [remote] :rocket:" in result.output


def test_progress_job_json(behavioral_history, tmp_path, utc_clock):
    job = tmp_path / "job.md"
    job.write_text(JOB_TEXT)
    data = json.loads(run("progress", "--job", str(job), "--json").output)["job"]
    assert (data["title"], data["take_count"], data["never"]) == (
        "Backend Engineer", 5, ["backend engineer", "Kubernetes"])
    python = next(t for t in data["terms"] if t["term"] == "Python")
    assert python == {"term": "Python", "kind": "name", "takes": 2,
                      "last_at_utc": "2026-02-10T09:01:00Z", "last_take": "5:1:1"}
    # the filters apply to the takes read
    data = json.loads(run("progress", "--job", str(job), "--json", "--since", "2026-02-06",
                          "--category", "behavioral").output)["job"]
    assert data["take_count"] == 2
    assert {t["term"]: t["takes"] for t in data["terms"]}["Python"] == 2
    data = json.loads(run("progress", "--job", str(job), "--json", "--category",
                          "leadership").stdout)["job"]
    assert (data["take_count"], len(data["never"])) == (0, data["term_count"])


def test_progress_job_that_cannot_be_read_is_one_line(tmp_path):
    missing = tmp_path / "nope.txt"
    result = run("progress", "--job", str(missing))
    assert result.exit_code == 1
    assert result.output == (f"Error: No such job description file: {missing}. Check the path,"
                             " or save the job advert as a text file first.\n")
    result = run("progress", "--job", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == (f"Error: {tmp_path} is a directory: give --job the path of a text"
                             " file holding the job description.\n")


def test_every_column_of_the_comparison_has_a_header(stored):
    result = CliRunner().invoke(cli, ["compare", "1:1:1", "1:1:2"], terminal_width=120)
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "metric" in line)
    assert header.split() == ["metric", "A", "B", "change", "verdict"]
