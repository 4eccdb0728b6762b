"""Question banks: the bundled ones are sound, and every broken bank gets one exact message."""

import dataclasses
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mockview.errors import BankError
from mockview.kinds import KINDS, LENGTH_TARGETS, length_target
from mockview.paths import data_dir
from mockview.questions import (
    MAX_TEXT_CHARS,
    Question,
    bundled_bank_paths,
    find_question,
    load_bank,
    load_banks,
    select_questions,
    user_banks_dir,
)
from mockview.words import QuestionInfo

KIND_LIST = "intro, behavioral, motivation, strengths, situational, technical, closing"


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """Work in tmp_path, so bank files are named by short relative paths in messages."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def q(extra="", *, id='"q-one"', text='"Tell me about yourself."',
      category='"self-introduction"', kind='"intro"'):
    """One [[questions]] table in TOML; a field set to None is left out."""
    lines = ["[[questions]]"]
    for key, value in (("id", id), ("text", text), ("category", category), ("kind", kind)):
        if value is not None:
            lines.append(f"{key} = {value}")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- the bundled banks ----------------------------------------------------------------------


def test_bundled_banks_are_big_varied_and_valid():
    banks = load_banks()
    questions = [question for bank in banks for question in bank.questions]
    assert len(questions) >= 80
    categories = {question.category for question in questions}
    assert len(categories) >= 8
    assert categories >= {
        "self-introduction", "behavioral", "strengths-and-weaknesses", "motivation-and-fit",
        "teamwork-and-conflict", "failure-and-resilience", "leadership", "problem-solving",
        "closing",
    }
    ids = [question.id for question in questions]
    assert len(ids) == len(set(ids))
    assert all(question.kind in KINDS for question in questions)
    texts = [question.text.lower() for question in questions]
    assert len(texts) == len(set(texts)), "the same question is in two places"


def test_every_bundled_question_has_tips_and_keywords():
    for bank in load_banks():
        assert bank.title and bank.description, bank.name
        for question in bank.questions:
            assert len(question.tips) >= 2, question.id
            assert len(question.keywords) >= 5, question.id
            assert question.text.endswith(("?", ".")), question.id


def test_bundled_banks_are_found_from_any_directory(cwd):
    paths = bundled_bank_paths()
    assert paths[0].name == "core.toml"
    assert {p.name for p in paths} >= {"core.toml", "behavioral.toml"}
    assert all(p.is_absolute() and p.is_file() for p in paths)


def test_the_question_in_the_analyze_example_exists():
    question = find_question(load_banks(), "beh-disagree")
    assert question.kind == "behavioral"
    assert question.bank == "behavioral"


def test_importing_questions_stays_light():
    code = (
        "import sys\n"
        "from mockview.questions import load_banks\n"
        "load_banks()\n"
        "heavy = ('numpy', 'librosa', 'faster_whisper', 'sounddevice', 'ctranslate2')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "[]"


# --- Question and Bank ----------------------------------------------------------------------


def test_a_full_question_is_read_as_written(cwd):
    path = write(cwd / "bank.toml", """
[bank]
name = "mine"
title = "My questions"
description = "Practice for   the panel."

[[questions]]
id = "mine-01"
text = '''Tell me about a time
    you led a project.'''
category = "leadership"
kind = "behavioral"
target_s = [75, 150.5]
tips = ["Set the scale first.", "End on the result."]
keywords = ["Led", "team", "led"]
""")
    bank = load_bank(path)
    assert (bank.name, bank.title, bank.description) == (
        "mine", "My questions", "Practice for the panel.")
    assert bank.path == path
    assert bank.categories == ("leadership",)
    (question,) = bank.questions
    assert question == Question(
        id="mine-01", text="Tell me about a time you led a project.", category="leadership",
        kind="behavioral", target_s=(75, 150.5), tips=("Set the scale first.",
                                                        "End on the result."),
        keywords=("led", "team"), bank="mine")
    assert question.length_target == length_target("behavioral", (75, 150.5))
    assert question.info() == QuestionInfo(
        text="Tell me about a time you led a project.", kind="behavioral", id="mine-01",
        target_s=(75, 150.5), keywords=("led", "team"),
        tips=("Set the scale first.", "End on the result."), category="leadership")
    with pytest.raises(dataclasses.FrozenInstanceError):
        question.text = "changed"


def test_without_target_the_kind_decides(cwd):
    (question,) = load_bank(write(cwd / "bank.toml", q())).questions
    assert question.target_s is None
    assert question.length_target == LENGTH_TARGETS["intro"]
    assert question.to_dict()["target_s"] == [60, 90]


def test_bank_table_is_optional(cwd):
    bank = load_bank(write(cwd / "My Questions.toml", q()))
    assert (bank.name, bank.title, bank.description) == ("my-questions", "my-questions", "")


def test_byte_order_mark_is_accepted(cwd):
    bank = load_bank(write(cwd / "bank.toml", b"\xef\xbb\xbf" + q().encode()))
    assert bank.questions[0].id == "q-one"


def test_text_at_the_limit_is_fine(cwd):
    text = "x" * (MAX_TEXT_CHARS - 1) + "?"
    (question,) = load_bank(write(cwd / "bank.toml", q(text=f'"{text}"'))).questions
    assert len(question.text) == MAX_TEXT_CHARS


# --- one exact message for every broken bank ------------------------------------------------

BROKEN = [
    # the file as a whole
    ("empty file",
     "",
     "bank.toml: no questions. Add at least one [[questions]] table with id, text, category "
     "and kind."),
    ("only a bank table",
     '[bank]\nname = "x"\n',
     "bank.toml: no questions. Add at least one [[questions]] table with id, text, category "
     "and kind."),
    ("questions not tables",
     'questions = "x"\n',
     "bank.toml: 'questions' must be an array of tables ([[questions]]) (got string 'x')."),
    ("question not a table",
     'questions = ["x"]\n',
     "bank.toml: question #1: must be a table with id, text, category and kind "
     "(got string 'x')."),
    ("misspelt questions header",
     q().replace("[[questions]]", "[[question]]"),
     "bank.toml: unknown top-level key 'question'. Did you mean 'questions'? A bank file "
     "holds one [bank] table and [[questions]] tables."),
    ("bank field at top level",
     'title = "Mine"\n' + q(),
     "bank.toml: unknown top-level key 'title'. Put it under [bank]. A bank file holds one "
     "[bank] table and [[questions]] tables."),
    ("syntax error",
     '[[questions]]\nid = "a"\ntext = \n',
     "bank.toml: invalid TOML: Invalid value (at line 3, column 8)."),
    ("invalid UTF-8",
     b'[[questions]]\nid = "a"\ntext = "caf\xe9"\n',
     "bank.toml: not valid UTF-8 (byte 0xe9 on line 3). Save the file with UTF-8 encoding."),
    # the [bank] table
    ("bank not a table",
     'bank = "mine"\n' + q(),
     "bank.toml: 'bank' must be a table ([bank]) (got string 'mine')."),
    ("unknown bank field",
     '[bank]\ntitel = "Mine"\n' + q(),
     "bank.toml: [bank]: unknown field 'titel'. Did you mean 'title'? Fields: name, title, "
     "description."),
    ("bank title not a string",
     '[bank]\ntitle = 3\n' + q(),
     "bank.toml: [bank]: 'title' must be a string (got integer 3)."),
    ("bank name not a slug",
     '[bank]\nname = "My Bank"\n' + q(),
     "bank.toml: [bank]: 'name' must be a lower-case slug like 'my-questions': letters, "
     "digits and single hyphens (got 'My Bank')."),
    # id
    ("missing id",
     q() + q(id=None),
     "bank.toml: question #2 (line 6): missing 'id'. Give every question a unique lower-case "
     "id like 'beh-07'."),
    ("id not a string",
     q(id="7"),
     "bank.toml: question #1 (line 1): 'id' must be a string (got integer 7)."),
    ("id not a slug",
     q(id='"Beh 07"'),
     "bank.toml: question #1 (line 1): 'id' must be a lower-case slug like 'beh-07': "
     "letters, digits and single hyphens (got 'Beh 07')."),
    ("missing id in an inline array has no line",
     'questions = [{text = "Why?"}]\n',
     "bank.toml: question #1: missing 'id'. Give every question a unique lower-case id like "
     "'beh-07'."),
    ("duplicate id",
     q() + q(text='"Why this job?"') + q(id='"q-two"') + q(),
     "bank.toml: question 'q-one' appears twice (questions #1 and #2). Give each question "
     "its own id."),
    # unknown fields
    ("misspelt field",
     q('tip = ["Be brief."]'),
     "bank.toml: question 'q-one': unknown field 'tip'. Did you mean 'tips'? Fields: id, text, "
     "category, kind, target_s, tips, keywords."),
    ("unknown field",
     q('colour = "red"'),
     "bank.toml: question 'q-one': unknown field 'colour'. Fields: id, text, category, kind, "
     "target_s, tips, keywords."),
    # text, category, kind
    ("missing text",
     q(text=None),
     "bank.toml: question 'q-one': missing 'text'. Add the question as it is asked."),
    ("text not a string",
     q(text='["Why?"]'),
     "bank.toml: question 'q-one': 'text' must be a string (got array ['Why?'])."),
    ("blank text",
     q(text='"   "'),
     "bank.toml: question 'q-one': 'text' is empty. Add the question as it is asked."),
    ("huge text",
     q(text='"' + "x" * 5000 + '"'),
     "bank.toml: question 'q-one': 'text' is 5000 characters long; the limit is 1000. "
     "Shorten the question: it is meant to be read aloud."),
    ("missing category",
     q(category=None),
     "bank.toml: question 'q-one': missing 'category'. Add a category such as 'behavioral'."),
    ("category not a slug",
     q(category='"Team Work"'),
     "bank.toml: question 'q-one': 'category' must be a lower-case slug like "
     "'teamwork-and-conflict' (got 'Team Work')."),
    ("missing kind",
     q(kind=None),
     f"bank.toml: question 'q-one': missing 'kind'. Add a kind: one of {KIND_LIST}."),
    ("kind not a string",
     q(kind="3"),
     "bank.toml: question 'q-one': 'kind' must be a string (got integer 3)."),
    ("unknown kind",
     q(kind='"foo"'),
     f"bank.toml: question 'q-one': 'kind' must be one of {KIND_LIST} (got 'foo')."),
    # target_s
    ("target a number",
     q("target_s = 90"),
     "bank.toml: question 'q-one': 'target_s' must be [min, max] in seconds, like [60, 90] "
     "(got integer 90)."),
    ("target one number",
     q("target_s = [60]"),
     "bank.toml: question 'q-one': 'target_s' must be [min, max] in seconds, like [60, 90] "
     "(got array [60])."),
    ("target strings",
     q('target_s = ["60", "90"]'),
     "bank.toml: question 'q-one': 'target_s' must be [min, max] in seconds, like [60, 90] "
     "(got array ['60', '90'])."),
    ("target boolean",
     q("target_s = [true, 90]"),
     "bank.toml: question 'q-one': 'target_s' must be [min, max] in seconds, like [60, 90] "
     "(got array [true, 90])."),
    ("target reversed",
     q("target_s = [90, 60]"),
     "bank.toml: question 'q-one': 'target_s' must have 0 < min < max <= 600 seconds "
     "(got [90, 60])."),
    ("target from zero",
     q("target_s = [0, 60]"),
     "bank.toml: question 'q-one': 'target_s' must have 0 < min < max <= 600 seconds "
     "(got [0, 60])."),
    ("target too long",
     q("target_s = [60, 600.5]"),
     "bank.toml: question 'q-one': 'target_s' must have 0 < min < max <= 600 seconds "
     "(got [60, 600.5])."),
    # tips and keywords
    ("tips a string",
     q('tips = "Be brief."'),
     "bank.toml: question 'q-one': 'tips' must be an array of strings "
     "(got string 'Be brief.')."),
    ("tip not a string",
     q('tips = ["Be brief.", 3]'),
     "bank.toml: question 'q-one': 'tips' item #2 must be a non-empty string (got integer 3)."),
    ("empty keyword",
     q('keywords = ["team", ""]'),
     "bank.toml: question 'q-one': 'keywords' item #2 must be a non-empty string "
     "(got string '')."),
    ("too many tips",
     q("tips = [" + ", ".join(['"Be brief."'] * 51) + "]"),
     "bank.toml: question 'q-one': 'tips' has 51 items; the limit is 50. Keep the few that "
     "matter most."),
    ("huge keyword",
     q('keywords = ["' + "k" * 1001 + '"]'),
     "bank.toml: question 'q-one': 'keywords' item #1 is 1001 characters long; the limit is "
     "1000. Shorten it."),
    # what a terminal would obey instead of showing
    ("escape sequence in the text",
     q(text='"Why \\u001b[2J?"'),
     "bank.toml: question 'q-one': 'text' holds the control character U+001B. Remove it."),
    ("NUL in a tip",
     q('tips = ["Be\\u0000 brief."]'),
     "bank.toml: question 'q-one': 'tips' item #1 holds the control character U+0000. "
     "Remove it."),
    ("bell in the bank title",
     '[bank]\ntitle = "Mine\\u0007"\n' + q(),
     "bank.toml: [bank]: 'title' holds the control character U+0007. Remove it."),
    # TOML bombs: tomllib recurses into nested values, and reads any size
    ("deeply nested arrays",
     "x = " + "[" * 5000 + "]" * 5000 + "\n",
     "bank.toml: invalid TOML: arrays or tables nested too deeply. A bank needs no nesting "
     "beyond [[questions]] and their arrays."),
    ("a file of over 1 MB",
     'x = "' + "a" * 1_000_000 + '"\n',
     "bank.toml: the file is over 1 MB; a question bank is a few kilobytes. Split it, or "
     "check that it is the right file."),
]


@pytest.mark.parametrize("content,message", [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_bank_gives_exact_message(cwd, content, message):
    path = write(cwd / "bank.toml", content)
    with pytest.raises(BankError) as raised:
        load_bank(path)
    assert str(raised.value) == message


def test_missing_file(cwd):
    with pytest.raises(BankError) as raised:
        load_bank("nope.toml")
    assert str(raised.value) == "No such file: nope.toml. Check the path and try again."


def test_directory_instead_of_file(cwd):
    (cwd / "banks.toml").mkdir()
    with pytest.raises(BankError) as raised:
        load_bank("banks.toml")
    assert str(raised.value) == ("banks.toml is a directory, not a question bank. "
                                 "Give the path of a .toml file.")


def test_a_fifo_is_refused_without_reading_it(cwd):
    os.mkfifo(cwd / "bank.toml")  # opening it would wait for a writer forever
    with pytest.raises(BankError) as raised:
        load_bank("bank.toml")
    assert str(raised.value) == ("bank.toml is not a regular file. Give the path of a .toml "
                                 "file.")


def test_unreadable_file(cwd, monkeypatch):
    path = write(cwd / "bank.toml", q())

    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    # chmod does not stop root, so the refusal is simulated.
    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(BankError) as raised:
        load_bank(path)
    assert str(raised.value) == "bank.toml: cannot read the file (Permission denied)."


def test_absolute_path_outside_working_directory_is_shown_whole(tmp_path, monkeypatch):
    path = write(tmp_path / "bank.toml", q(kind='"foo"'))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(BankError) as raised:
        load_bank(path)
    assert str(raised.value).startswith(f"{path}: question 'q-one': 'kind' must be one of")


# --- many banks: bundled, the user's, extra ---------------------------------------------------


def test_user_banks_come_from_mockview_home(tmp_path):
    assert data_dir() == tmp_path
    assert user_banks_dir() == tmp_path / "banks"
    write(tmp_path / "banks" / "mine.toml", '[bank]\nname = "mine"\n' + q())
    banks = load_banks()
    assert banks[-1].name == "mine"
    assert banks[-1].path == tmp_path / "banks" / "mine.toml"
    assert find_question(banks, "q-one").bank == "mine"


def test_no_user_directory_is_fine_and_not_created(tmp_path):
    assert load_banks()
    assert not (tmp_path / "banks").exists()


def test_data_dir_defaults_to_the_platform_directory(monkeypatch):
    import platformdirs

    monkeypatch.delenv("MOCKVIEW_HOME")
    assert data_dir() == platformdirs.user_data_path("mockview")


def test_duplicate_id_across_banks_names_both_files(cwd):
    write(cwd / "a.toml", q())
    write(cwd / "b.toml", q())
    with pytest.raises(BankError) as raised:
        load_banks(extra=["a.toml", "b.toml"])
    assert str(raised.value) == ("b.toml: question 'q-one': id already used in a.toml. "
                                 "Ids must be unique across all banks; rename one.")


def test_user_bank_clashing_with_a_bundled_id(cwd):
    write(cwd / "banks" / "mine.toml", q(id='"beh-disagree"'))
    behavioral = next(p for p in bundled_bank_paths() if p.name == "behavioral.toml")
    with pytest.raises(BankError) as raised:
        load_banks()
    assert str(raised.value) == (
        f"banks/mine.toml: question 'beh-disagree': id already used in {behavioral}. "
        "Ids must be unique across all banks; rename one.")


def test_duplicate_bank_name_names_both_files(cwd):
    write(cwd / "a.toml", '[bank]\nname = "mine"\n' + q())
    write(cwd / "b.toml", '[bank]\nname = "mine"\n' + q(id='"q-two"'))
    with pytest.raises(BankError) as raised:
        load_banks(extra=["a.toml", "b.toml"])
    assert str(raised.value) == ("b.toml: bank name 'mine' is already used by a.toml. "
                                 "Set another name under [bank].")


def test_the_same_file_twice_is_loaded_once(cwd):
    path = write(cwd / "banks" / "mine.toml", q())
    banks = load_banks(extra=[path, "banks/../banks/mine.toml"])
    assert [b.name for b in banks].count("mine") == 1


# --- selecting --------------------------------------------------------------------------------


@pytest.fixture
def small(cwd):
    """Two small banks, and the bundled ones, loaded together."""
    write(cwd / "one.toml", '[bank]\nname = "one"\n'
          + q(id='"beh-disagree-x"', category='"teamwork"', kind='"behavioral"')
          + q(id='"beh-deadline-x"', category='"pressure"', kind='"behavioral"'))
    write(cwd / "two.toml", '[bank]\nname = "two"\n' + q(id='"two-a"', category='"teamwork"'))
    return load_banks(extra=["one.toml", "two.toml"])


def test_select_by_bank_name_and_path(small):
    assert [x.id for x in select_questions(small, bank="one")] == ["beh-disagree-x",
                                                                    "beh-deadline-x"]
    assert [x.id for x in select_questions(small, bank="two.toml")] == ["two-a"]
    assert [x.id for x in select_questions(small, bank="./two.toml")] == ["two-a"]


def test_select_a_file_that_was_not_loaded(small, cwd):
    write(cwd / "three.toml", q(id='"three-a"'))
    assert [x.id for x in select_questions(small, bank="three.toml")] == ["three-a"]


def test_a_file_selected_by_path_may_not_reuse_an_id(small, cwd):
    write(cwd / "three.toml", q(id='"two-a"'))
    with pytest.raises(BankError) as raised:
        select_questions(small, bank="three.toml")
    assert str(raised.value) == ("three.toml: question 'two-a': id already used in two.toml. "
                                 "Ids must be unique across all banks; rename one.")


def test_select_by_category_and_ids(small):
    assert [x.id for x in select_questions(small, category="Teamwork")
            if x.bank in ("one", "two")] == ["beh-disagree-x", "two-a"]
    assert [x.id for x in select_questions(small, bank="one", category="pressure")] == [
        "beh-deadline-x"]
    assert [x.id for x in select_questions(small, ids=["two-a", "beh-disagree-x"])] == [
        "two-a", "beh-disagree-x"]
    assert len(select_questions(small)) == sum(len(b.questions) for b in small)


def test_unknown_bank_name_lists_the_banks(small):
    names = ", ".join(b.name for b in small)
    with pytest.raises(BankError) as raised:
        select_questions(small, bank="nope")
    assert str(raised.value) == (f"No bank named 'nope'. Banks: {names}. "
                                 "Or give the path of a .toml file.")


def test_missing_bank_path(small):
    with pytest.raises(BankError) as raised:
        select_questions(small, bank="nope.toml")
    assert str(raised.value) == ("No such bank file: nope.toml. Give the path of a .toml file, "
                                 "or a bank name (see: mockview banks).")


def test_unknown_category_lists_the_categories(small):
    with pytest.raises(BankError) as raised:
        select_questions(small, bank="one", category="team")
    assert str(raised.value) == ("No category 'team' in bank 'one'. Did you mean teamwork? "
                                 "Categories: teamwork, pressure.")
    with pytest.raises(BankError) as raised:
        select_questions(small, bank="two", category="zzz")
    assert str(raised.value) == "No category 'zzz' in bank 'two'. Categories: teamwork."


def test_unknown_id_in_selection(small):
    with pytest.raises(BankError) as raised:
        select_questions(small, bank="two", ids=["two-b"])
    assert str(raised.value) == ("No question with id 'two-b'. Did you mean two-a? "
                                 "List the ids with: mockview questions")


def test_find_question_is_forgiving_about_case_and_space(small):
    assert find_question(small, "  BEH-Disagree-X ").id == "beh-disagree-x"


def test_find_question_suggests_close_ids(small):
    with pytest.raises(BankError) as raised:
        find_question(small[-2:], "beh-dedline-x")
    assert str(raised.value) == ("No question with id 'beh-dedline-x'. Did you mean "
                                 "beh-deadline-x, beh-disagree-x? "
                                 "List the ids with: mockview questions")
    with pytest.raises(BankError) as raised:
        find_question(small[-2:], "disagree")
    assert str(raised.value) == ("No question with id 'disagree'. Did you mean "
                                 "beh-disagree-x? List the ids with: mockview questions")
    with pytest.raises(BankError) as raised:
        find_question(small, "zzzzzzzz")
    assert str(raised.value) == ("No question with id 'zzzzzzzz'. "
                                 "List the ids with: mockview questions")


def test_control_characters_are_unicodes_category_cc_exactly():
    # the bank check searches one character class rather than asking each character's
    # category: the class must be Unicode's Cc, no more and no less
    import sys
    import unicodedata

    from mockview.questions import _CONTROL

    found = [i for i in range(sys.maxunicode + 1) if _CONTROL.fullmatch(chr(i))]
    assert found == [i for i in range(sys.maxunicode + 1)
                     if unicodedata.category(chr(i)) == "Cc"]
