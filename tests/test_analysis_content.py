"""Content: STAR parts, results, ownership, hedges, relevance, opening and ending, each on a
hand-made answer with a known reading. Words are 0.3 s long and 0.1 s apart, so word n
(from 0) starts at 0.4 * n seconds."""

import dataclasses
import json

import pytest

from mockview.analysis import AnalysisSettings, JobDescription, analyze_answer, job_terms
from mockview.analysis.content import lemma
from mockview.words import QuestionInfo

from .analysis_helpers import CONCISE, MOTIVATION, transcript

BEHAVIORAL = QuestionInfo("Tell me about a time you improved a process.", kind="behavioral",
                          keywords=("improved", "process", "team", "measure"))
INTRO = QuestionInfo("Tell me about yourself.", kind="intro")

SITUATION = ("At my last job, our release process took three days of manual checks, and bugs"
             " still slipped through every month.")
TASK = " My task was to cut that time without losing quality."
ACTION = (" So I started by mapping every manual step with the QA lead. Then I wrote a"
          " checklist, automated the slowest tests, and set up a nightly pipeline. I also"
          " trained the team on the new pipeline and I reviewed the first releases with them.")
RESULT = (" As a result, releases went from three days to four hours, and escaped bugs dropped"
          " by 40 percent.")
STAR = SITUATION + TASK + ACTION + RESULT

JOB = """Senior Backend Engineer - Payments

Acme Pay is looking for a senior backend engineer to join our payments platform team.

What you'll do:
- Build and operate scalable data pipelines in Python and Go
- Design REST APIs and event-driven services on AWS (Lambda, S3, DynamoDB)
- Own stakeholder management with finance and compliance teams
- Mentor junior engineers and lead code reviews

What you bring:
- 5+ years of experience with Python, PostgreSQL and Kubernetes
- Experience with CI/CD, Terraform and infrastructure as code
- Excellent communication skills and experience with stakeholder management
"""


def analysis_of(text, question=BEHAVIORAL, duration_s=None, settings=None, job=None):
    t = transcript(text, duration_s=duration_s)
    return analyze_answer(t, question=question, settings=settings, job=job).to_dict()


def content_of(text, **kwargs):
    return analysis_of(text, **kwargs)["metrics"]["content"]


def tips_of(text, **kwargs):
    return {f["id"]: f for f in analysis_of(text, **kwargs)["feedback"]}


def parts(content):
    return {p["part"]: p for p in content["structure"]["parts"]}


# --- shape ---------------------------------------------------------------------------------


def test_to_dict_has_the_documented_keys():
    content = content_of(STAR.replace("nightly pipeline", "nightly pipeline in Python"),
                         job=JobDescription(JOB))
    json.dumps(content)
    assert set(content) == {"judged", "note", "method", "kind", "structure", "results",
                            "ownership", "hedges", "keywords", "job", "opening", "ending"}
    assert content["method"] == "heuristic"
    assert set(content["structure"]) == {"verdict", "missing", "too_short", "order",
                                         "action_share_target", "parts"}
    assert set(content["structure"]["parts"][0]) == {"part", "present", "duration_s", "share",
                                                     "verdict", "basis", "spans", "cues"}
    assert set(content["results"]) == {"count", "concrete_count", "verdict", "items"}
    assert set(content["results"]["items"][0]) == {"kind", "text", "start_s", "end_s"}
    assert set(content["ownership"]) == {"i_count", "we_count", "we_share", "verdict",
                                         "i_actions", "we_actions"}
    assert set(content["hedges"]) == {"count", "per_100_words", "verdict", "top", "items"}
    for coverage in (content["keywords"], content["job"]):
        assert set(coverage) == {"total", "matched_count", "coverage", "verdict", "matched",
                                 "missing"}
        assert set(coverage["matched"][0]) == {"term", "kind", "text", "start_s", "end_s"}
        assert set(coverage["missing"][0]) == {"term", "kind"}
    assert set(content["opening"]) == {"verdict", "evidence", "throat_clearing",
                                       "situation_sentences"}
    assert set(content["ending"]) == {"verdict", "evidence", "cue"}


def test_lemmas_meet_across_inflections():
    assert lemma("led") == lemma("lead") == lemma("leading")
    assert lemma("improving") == lemma("improve") == lemma("Improved,")
    assert lemma("stakeholders") == lemma("stakeholder")
    assert lemma("built") == lemma("build")


# --- STAR ----------------------------------------------------------------------------------


def test_a_full_star_answer():
    content = content_of(STAR)
    assert content["judged"] is True and content["note"] is None
    structure = content["structure"]
    assert structure["verdict"] == "complete"
    assert structure["order"] == ["situation", "task", "action", "result"]
    assert (structure["missing"], structure["too_short"]) == ([], [])
    assert structure["action_share_target"] == [0.4, 0.5]
    found = parts(content)
    assert all(p["present"] and p["verdict"] == "ok" and p["basis"] == "cue"
               for p in found.values())
    # 20 + 10 + 44 + 18 words, 0.4 s each: the parts start at words 0, 20, 30 and 74
    assert [found[n]["spans"][0]["start_s"] for n in ("situation", "task", "action",
                                                      "result")] == [0.0, 8.0, 12.0, 29.6]
    assert found["action"]["duration_s"] == 17.6
    assert found["action"]["share"] == pytest.approx(17.6 / 36.7, abs=0.001)
    assert sum(p["share"] for p in found.values()) == pytest.approx(1.0, abs=0.002)
    assert found["task"]["cues"][0]["text"] == "My task was"
    assert found["result"]["cues"][0]["text"] == "As a result,"
    assert content["ending"]["verdict"] == "conclusion"
    assert content["opening"]["verdict"] == "clear"
    assert content["opening"]["situation_sentences"] == 1


def test_a_full_star_answer_gets_no_content_tip():
    tips = tips_of(STAR, duration_s=100.0)
    assert list(tips) == ["well_done"]


def test_missing_result():
    text = SITUATION + TASK + ACTION + " The team liked the new pipeline and we kept using it."
    content = content_of(text)
    assert content["structure"]["missing"] == ["result"]
    assert content["structure"]["order"] == ["situation", "task", "action"]
    assert parts(content)["result"] == {
        "part": "result", "present": False, "duration_s": 0.0, "share": 0.0,
        "verdict": "missing", "basis": None, "spans": [], "cues": []}
    tips = tips_of(text, duration_s=100.0)
    tip = tips["result"]
    assert tip["title"] == "State the result"
    assert tip["detail"].startswith("No sentence reads as the Result (read from cue phrases: a"
                                    " hint, not a verdict): the answer ends on the action,"
                                    " \"The team liked the new pipeline")
    assert tip["evidence"][0]["text"].startswith("The team liked")
    assert "ending" not in tips  # the result tip already says how to end


def test_no_result_at_all_gives_one_result_tip():
    # no result word anywhere: rambling's no_result fires, and its tip is the only one
    text = (SITUATION.replace("three days of", "days of") + " I was asked to speed it up."
            + ACTION + " The team liked the new pipeline.")
    analysis = analysis_of(text, duration_s=100.0)
    assert [s["name"] for s in analysis["metrics"]["rambling"]["signals"]] == ["no_result"]
    assert analysis["metrics"]["content"]["structure"]["missing"] == ["result"]
    assert [f["id"] for f in analysis["feedback"]].count("result") == 1


def test_action_too_short_and_missing():
    long_setup = (SITUATION + " The team was small and the product was growing fast. Customers"
                  " were unhappy with every slow release. Managers were worried about it."
                  + TASK + " So I wrote a checklist." + RESULT)
    content = content_of(long_setup)
    assert parts(content)["action"]["verdict"] == "too_short"
    assert content["structure"]["too_short"] == ["action"]
    tip = tips_of(long_setup, duration_s=100.0)["structure"]
    assert tip["title"] == "Spend more time on what you did"
    assert tip["detail"].startswith("The Action took 0:02, 7% of the answer; it usually takes"
                                    " 40%-50% (read from cue phrases: a hint, not a verdict).")
    no_action = SITUATION + TASK + RESULT
    content = content_of(no_action + " " + SITUATION)
    assert "action" in content["structure"]["missing"]
    tip = tips_of(no_action + " " + SITUATION, duration_s=100.0)["structure"]
    assert tip["title"] == "Say what you did"


def test_long_setup_opening():
    text = (SITUATION + " The team was small and the product was growing fast. Customers"
            " were unhappy with every slow release. Managers were worried about it."
            + TASK + ACTION + RESULT)
    content = content_of(text)
    assert content["opening"]["verdict"] == "long_setup"
    assert content["opening"]["situation_sentences"] == 4
    tip = tips_of(text, duration_s=100.0)["opening"]
    assert tip["title"] == "Set the scene in two sentences"
    assert tip["detail"].startswith("The Situation runs 4 sentences (0:00-0:")


def test_star_parts_without_full_stops():
    # no punctuation at all: the answer is cut before its cue phrases
    text = STAR.replace(".", "").replace(",", "")
    content = content_of(text)
    assert content["structure"]["order"] == ["situation", "task", "action", "result"]
    assert content["structure"]["verdict"] == "complete"


def test_structure_only_for_behavioral_questions():
    assert content_of(CONCISE + " " + CONCISE, question=MOTIVATION)["structure"] is None


# --- results -------------------------------------------------------------------------------


def test_concrete_results_of_each_kind():
    text = ("For five years I have worked here, and in 2019 we were small. We were asked to cut"
            " costs. Review time went from three days to one day. Sales grew 40% and we saved"
            " $20,000 a year. Each build now takes two hours less. We shipped 12 releases and"
            " reduced churn by half.")
    items = content_of(text)["results"]["items"]
    assert [(i["kind"], i["text"]) for i in items] == [
        ("before_after", "from three days to one day."),
        ("outcome_verb", "grew"),
        ("percent", "40%"),
        ("outcome_verb", "saved"),
        ("money", "$20,000"),
        ("time", "two hours"),
        ("outcome_verb", "shipped"),
        ("number", "12"),
        ("outcome_verb", "reduced"),
        ("number", "half."),
    ]
    # "For five years", "in 2019" and "to cut" are no results
    assert items[0]["start_s"] == pytest.approx(0.4 * 22)


def test_results_verdicts():
    assert content_of(STAR)["results"]["verdict"] == "concrete"
    vague = SITUATION.replace("three days of", "days of") + ACTION + " We launched it."
    assert content_of(vague)["results"]["verdict"] == "vague"


# --- ownership -----------------------------------------------------------------------------

WE = ("At my last job, our release process took three days of manual checks, and bugs still"
      " slipped through every month. We needed to cut that time without losing quality. So we"
      " mapped every manual step with the QA lead. Then we wrote a checklist, we automated the"
      " slowest tests, and we set up a nightly pipeline. We also trained the whole team on the"
      " new pipeline. As a result, releases went from three days to four hours.")


def test_we_dominates_the_actions():
    ownership = content_of(WE)["ownership"]
    assert (ownership["i_count"], ownership["we_count"]) == (0, 5)
    assert ownership["verdict"] == "we_dominates"
    assert [e["text"] for e in ownership["we_actions"]] == [
        "we mapped every manual", "we wrote a checklist,", "we automated the slowest",
        "we set up a", "We also trained the whole"]
    assert ownership["we_actions"][0]["start_s"] == pytest.approx(0.4 * 30)
    tip = tips_of(WE, duration_s=100.0)["ownership"]
    assert tip["title"] == "Say \"I\" for what you did"
    assert tip["detail"].startswith("You said \"we\" for 5 actions (\"we mapped every manual\""
                                    " at 0:12, \"we wrote a checklist,\" at 0:16")
    assert tip["severity"] == 0.8


def test_i_owns_the_actions_and_lists_keep_their_subject():
    ownership = content_of(STAR)["ownership"]
    assert ownership["verdict"] == "owned" and ownership["we_count"] == 0
    # "I wrote a checklist, automated the slowest tests": "automated" is still mine
    assert [e["text"] for e in ownership["i_actions"]] == [
        "I started by mapping", "I wrote a checklist,", "automated the slowest",
        "I also trained the team", "I reviewed the first"]


def test_my_team_and_i_is_shared():
    text = STAR.replace("Then I wrote", "Then my team and I wrote")
    ownership = content_of(text)["ownership"]
    assert [e["text"] for e in ownership["we_actions"]] == [
        "my team and I wrote a checklist,", "automated the slowest"]
    assert (ownership["i_count"], ownership["verdict"]) == (3, "owned")


def test_we_dominates_needs_a_share_and_a_count():
    # 3 of 5 actions with "we" is the flag line (60%)
    text = STAR.replace("Then I wrote", "Then we wrote").replace("I also trained",
                                                                "We also trained")
    ownership = content_of(text)["ownership"]
    assert (ownership["i_count"], ownership["we_count"]) == (2, 3)
    assert (ownership["we_share"], ownership["verdict"]) == (0.6, "we_dominates")
    # two "we" actions and no "I": all shared, but too few to call
    two = SITUATION + TASK + " So we mapped every step. Then we asked the QA lead." + RESULT
    ownership = content_of(two)["ownership"]
    assert (ownership["we_count"], ownership["verdict"]) == (2, "shared")


# --- hedges --------------------------------------------------------------------------------

HEDGED = ("At my last job, I guess our release process was kind of slow, maybe three days of"
          " checks. My task was to sort of speed it up. I'm not sure it was the best way, but I"
          " wrote a checklist and I think maybe I automated some tests. I reviewed the first"
          " releases. In the end, releases took about four hours.")


def test_hedges_with_their_places():
    hedges = content_of(HEDGED)["hedges"]
    assert [(h["phrase"], h["text"]) for h in hedges["items"]] == [
        ("i guess", "I guess"), ("kind of", "kind of"), ("maybe", "maybe"),
        ("sort of", "sort of"), ("i'm not sure", "I'm not sure"),
        ("i think maybe", "I think maybe")]
    assert hedges["items"][0]["start_s"] == pytest.approx(0.4 * 4)
    assert hedges["verdict"] == "many"
    assert hedges["top"][0] == {"text": "i guess", "count": 1}
    tip = tips_of(HEDGED, duration_s=100.0)["hedging"]
    assert tip["title"] == "Drop the hedges"
    assert tip["detail"].startswith("You hedged 6 times (")
    assert "\"I guess\" at 0:02" in tip["detail"]
    assert [e["text"] for e in tip["evidence"]][:2] == ["I guess", "kind of"]


def test_kind_of_as_a_noun_phrase_is_no_hedge_and_one_hedge_is_few():
    text = STAR.replace("My task was", "It was the kind of problem I like. My task was")
    hedges = content_of(text)["hedges"]
    assert hedges["count"] == 0 and hedges["verdict"] == "none"
    text = STAR.replace("My task was", "Maybe my task was")
    assert content_of(text)["hedges"]["verdict"] == "few"
    assert "hedging" not in tips_of(text, duration_s=100.0)


# --- relevance -----------------------------------------------------------------------------


def test_keywords_match_by_lemma():
    question = QuestionInfo("Tell me about a time you led a team.", kind="behavioral",
                            keywords=("lead", "improve", "stakeholders", "deadline"))
    text = STAR.replace("My task was to cut", "I led the effort, improving the flow with"
                                              " every stakeholder, to cut")
    keywords = content_of(text, question=question)["keywords"]
    assert [(m["term"], m["text"]) for m in keywords["matched"]] == [
        ("lead", "led"), ("improve", "improving"), ("stakeholders", "stakeholder,")]
    assert keywords["missing"] == [{"term": "deadline", "kind": "keyword"}]
    assert (keywords["coverage"], keywords["verdict"]) == (0.75, "good")


def test_low_keyword_coverage_gets_a_tip():
    question = QuestionInfo("Tell me about a conflict with a colleague.", kind="behavioral",
                            keywords=("conflict", "colleague", "disagreed", "listened",
                                      "compromise", "team"))
    keywords = content_of(STAR, question=question)["keywords"]
    assert [m["term"] for m in keywords["matched"]] == ["team"]
    assert keywords["verdict"] == "low"
    tip = tips_of(STAR, question=question, duration_s=100.0)["keywords"]
    assert tip["detail"].startswith("Your answer touches 1 of the question's 6 key terms"
                                    " (\"team\"); it never mentions conflict, colleague,"
                                    " disagreed, listened and compromise.")


def test_no_keywords_gives_no_coverage():
    assert content_of(STAR, question=dataclasses.replace(BEHAVIORAL, keywords=()))[
        "keywords"] is None


def test_job_terms_from_plain_text():
    terms = {t.term: t.kind for t in job_terms(JOB, max_terms=40)}
    for name in ("Python", "Go", "AWS", "S3", "DynamoDB", "PostgreSQL", "Kubernetes",
                 "CI/CD", "Terraform", "Acme Pay", "REST APIs"):
        assert terms[name] == "name", name
    for phrase in ("data pipelines", "stakeholder management", "code reviews",
                   "payments platform"):
        assert terms[phrase] == "phrase", phrase
    for noise in ("experience", "Experience", "strong", "Excellent", "team", "5+", "Build"):
        assert noise not in terms
    first = job_terms(JOB)
    assert len(first) == 15
    # names and phrases take turns, the most repeated first; the title's "Backend Engineer"
    # and the text's "backend engineer" are one term
    assert [(t.term, t.count) for t in first[:4]] == [
        ("Python", 2), ("backend engineer", 2), ("Acme Pay", 1), ("stakeholder management", 2)]


def test_job_coverage_names_what_was_said_and_what_was_not():
    answer = ("I want this role because it joins my two strengths, backend systems and"
              " payments. At my last job I built a data pipeline in Python for card payments,"
              " and I ran the code reviews for our team. I also led the move to Kubernetes and"
              " set up CI CD with Terraform. I can contribute to stakeholder management from"
              " day one, and we go live with a new service every month.")
    job = JobDescription(JOB)
    coverage = content_of(answer, question=MOTIVATION, job=job)["job"]
    said = {m["term"]: m["text"] for m in coverage["matched"]}
    assert said["Python"] == "Python"
    assert said["data pipelines"] == "data pipeline"
    assert said["code reviews"] == "code reviews"
    assert said["stakeholder management"] == "stakeholder management"
    assert "Go" not in said  # "we go live" is not the language
    given = JobDescription("", terms=("Kubernetes", "CI/CD", "Rust"))
    coverage = content_of(answer, question=MOTIVATION, job=given)["job"]
    assert [(m["term"], m["kind"], m["text"]) for m in coverage["matched"]] == [
        ("Kubernetes", "given", "Kubernetes"), ("CI/CD", "given", "CI CD")]
    assert coverage["missing"] == [{"term": "Rust", "kind": "given"}]


def test_low_job_coverage_gets_a_tip_for_motivation_not_behavioral():
    text = CONCISE + " " + CONCISE
    tip = tips_of(text, question=MOTIVATION, job=JobDescription(JOB), duration_s=60.0)[
        "job_terms"]
    assert tip["detail"] == ("You mentioned 0 of the job description's 15 key terms. It also"
                             " asks for Python, backend engineer, Acme Pay, stakeholder"
                             " management and Go. Where one is true of you, say so with an"
                             " example.")
    assert "job_terms" not in tips_of(STAR, job=JobDescription(JOB), duration_s=100.0)


# --- opening and ending --------------------------------------------------------------------

INTRO_GOOD = ("I'm a backend developer with six years in payments, and I lead a small platform"
              " team at a bank. Before that I built the billing system at a startup, which cut"
              " failed charges by half. I enjoy making systems that other engineers can trust."
              " That's why this role appeals to me: your team builds the payment platform.")


def test_a_clear_intro():
    content = content_of(INTRO_GOOD, question=INTRO)
    assert (content["opening"]["verdict"], content["ending"]["verdict"]) == ("clear",
                                                                              "conclusion")
    assert content["ending"]["cue"]["text"] == "That's why"
    assert content["opening"]["evidence"]["start_s"] == 0.0


@pytest.mark.parametrize("opener, cleared", [
    ("So, um, yeah, well,", ["So,", "um,", "yeah,", "well,"]),
    ("That's a good question. So,", ["That's a good question.", "So,"]),
    ("Um, okay.", ["Um,", "okay."]),
])
def test_throat_clearing_openers(opener, cleared):
    text = opener + " " + INTRO_GOOD
    opening = content_of(text, question=INTRO)["opening"]
    assert opening["verdict"] == "throat_clearing"
    assert [e["text"] for e in opening["throat_clearing"]] == cleared
    assert opening["evidence"]["text"].startswith("I'm a backend developer")
    tip = tips_of(text, question=INTRO, duration_s=75.0)["opening"]
    assert tip["title"] == "Lead with your point"
    assert tip["detail"].startswith(f"You opened with \"{' '.join(cleared)}\" before your first"
                                    " point at 0:")


def test_one_so_is_not_throat_clearing():
    opening = content_of("So, " + INTRO_GOOD, question=INTRO)["opening"]
    assert opening["verdict"] == "clear"


def test_an_intro_that_starts_with_backstory():
    text = ("I grew up in Ohio and spent most summers on my grandparents' farm. "
            + INTRO_GOOD.replace("I'm a backend developer", "Later I became a developer"))
    content = content_of(text, question=INTRO)
    assert content["opening"]["verdict"] == "no_point"
    tip = tips_of(text, question=INTRO, duration_s=75.0)["opening"]
    assert tip["title"] == "Open with who you are now"
    assert tip["detail"].startswith("Your first sentence, \"I grew up in Ohio")


@pytest.mark.parametrize("ending", ["So yeah.", "I guess that's it.", "We fixed bugs and stuff."])
def test_trailing_off_is_rambling_s_tip(ending):
    text = INTRO_GOOD + " " + ending
    content = content_of(text, question=INTRO)
    assert content["ending"]["verdict"] == "trails_off"
    assert content["ending"]["cue"]["end_s"] == content["ending"]["evidence"]["end_s"]
    tips = tips_of(text, question=INTRO, duration_s=75.0)
    assert "no_ending" in tips and "ending" not in tips


def test_no_conclusion_gets_an_ending_tip():
    text = (CONCISE.replace(" That mission matters to me, and I can contribute from day one.",
                            "") + " On weekends I go hiking. I also enjoy baking bread.")
    content = content_of(text, question=MOTIVATION)
    assert content["ending"]["verdict"] == "no_conclusion"
    tip = tips_of(text, question=MOTIVATION, duration_s=60.0)["ending"]
    assert tip["detail"].startswith("Your answer stops on \"I also enjoy baking bread.\"")
    assert "why you want this role" in tip["detail"]


def test_a_closing_line_then_thanks_is_a_conclusion():
    text = INTRO_GOOD + " Thank you."
    assert content_of(text, question=INTRO)["ending"]["verdict"] == "conclusion"


# --- when not to judge ---------------------------------------------------------------------


def test_short_answers_are_reported_not_judged():
    content = content_of("I guess we built a dashboard. It helped the sales team a lot.")
    assert content["judged"] is False
    assert content["note"] == "Only 13 words: too few to judge the content (that needs 40)."
    assert content["hedges"]["count"] == 1 and content["hedges"]["verdict"] is None
    assert content["ownership"]["we_count"] == 1 and content["ownership"]["verdict"] is None
    assert content["structure"]["verdict"] is None
    assert all(p["verdict"] is None for p in content["structure"]["parts"])
    assert (content["opening"]["verdict"], content["ending"]["verdict"]) == (None, None)
    tips = tips_of("I guess we built a dashboard. It helped the sales team a lot.")
    assert not set(tips) & {"result", "structure", "ownership", "hedging", "keywords",
                            "opening", "ending"}


def test_unknown_kind_is_reported_not_judged():
    content = content_of(WE, question=QuestionInfo("Tell me about a process you improved."))
    assert content["judged"] is False
    assert content["note"].startswith("The question's kind is not known")
    assert content["ownership"]["we_count"] == 5 and content["ownership"]["verdict"] is None
    assert content["structure"] is None
    assert "ownership" not in tips_of(WE, question=None)


def test_no_speech():
    content = content_of("", question=BEHAVIORAL, duration_s=5.0)
    assert content["judged"] is False and content["note"] == "No speech was found."
    assert content["results"]["items"] == [] and content["opening"]["evidence"] is None


def test_minimum_words_is_a_setting():
    settings = AnalysisSettings(content_min_words_to_judge=200)
    assert content_of(STAR, settings=settings)["judged"] is False


# --- ranking -------------------------------------------------------------------------------


def test_content_tips_are_capped_and_delivery_keeps_its_place():
    # "we" everywhere, hedges, a weak opening and fast speech: content may not crowd out pace
    text = "So, um, yeah, " + WE.replace("So we mapped", "I guess we kind of mapped").replace(
        "Then we wrote", "Then maybe we wrote")
    fast = analyze_answer(transcript(text, word_s=0.15, gap_s=0.05), question=BEHAVIORAL)
    content_ids = {"result", "structure", "ownership", "hedging", "keywords", "job_terms",
                   "opening", "ending"}
    ids = [f.id for f in fast.feedback]
    # four content tips are due (ownership, hedging, structure, opening): three are shown
    assert ids == ["pace", "length", "ownership", "hedging", "structure"]
    assert all(f.severity <= 0.8 for f in fast.feedback if f.id in content_ids)
    settings = AnalysisSettings(max_content_feedback_items=1)
    capped = analyze_answer(transcript(text, word_s=0.15, gap_s=0.05), question=BEHAVIORAL,
                            settings=settings)
    assert [f.id for f in capped.feedback] == ["pace", "length", "ownership"]


def test_content_tips_can_be_turned_off():
    settings = AnalysisSettings(max_content_feedback_items=0)
    tips = tips_of(WE, duration_s=100.0, settings=settings)
    assert list(tips) == ["well_done"]  # the delivery is fine; the content tips are off


def test_importing_the_analysis_does_not_load_the_stemmer():
    import subprocess
    import sys

    code = "import sys, mockview.analysis; print('snowballstemmer' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
