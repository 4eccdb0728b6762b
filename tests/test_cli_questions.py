"""The questions and banks commands: tables for people, clean JSON, one line for every error."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.questions import load_banks


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_bank(path, name, *questions):
    """A bank file with questions given as (id, category, kind)."""
    lines = [f'[bank]\nname = "{name}"\ntitle = "The {name} bank"\n']
    for qid, category, kind in questions:
        lines.append(f'[[questions]]\nid = "{qid}"\ntext = "Question {qid}?"\n'
                     f'category = "{category}"\nkind = "{kind}"\n')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --- questions ------------------------------------------------------------------------------


def test_questions_json_lists_every_bundled_question():
    result = run("questions", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    listed = json.loads(result.stdout)
    total = sum(len(bank.questions) for bank in load_banks())
    assert len(listed) == total >= 80
    first = listed[0]
    assert first["id"] == "intro-about-yourself"
    assert set(first) == {"id", "bank", "category", "kind", "text", "target_s", "tips",
                          "keywords"}
    assert first["target_s"] == [60, 90]
    assert first["bank"] == "core"


def test_questions_table_for_people():
    result = run("questions", "--category", "closing")
    assert result.exit_code == 0, result.output
    for column in ("ID", "Category", "Kind", "Target", "Question"):
        assert column in result.stdout
    assert "close-salary" in result.stdout
    assert "20-45 s" in result.stdout
    assert "intro-about-yourself" not in result.stdout
    assert result.stderr == ("8 questions. Practise one with: "
                             "mockview practice --question ID\n")


def test_questions_by_category_is_case_insensitive():
    listed = json.loads(run("questions", "--category", "Leadership", "--json").stdout)
    assert listed and {q["category"] for q in listed} == {"leadership"}


def test_questions_by_bank_name():
    listed = json.loads(run("questions", "--bank", "core", "--json").stdout)
    assert {q["bank"] for q in listed} == {"core"}


def test_questions_from_a_bank_file(cwd):
    write_bank(cwd / "mine.toml", "mine", ("m-one", "panel", "behavioral"),
               ("m-two", "panel", "closing"))
    result = run("questions", "--bank", "mine.toml", "--json")
    assert result.exit_code == 0, result.output
    assert [q["id"] for q in json.loads(result.stdout)] == ["m-one", "m-two"]


def test_questions_from_the_user_bank_directory(cwd):
    write_bank(cwd / "banks" / "mine.toml", "mine", ("m-one", "panel", "behavioral"))
    listed = json.loads(run("questions", "--bank", "mine", "--json").stdout)
    assert [q["id"] for q in listed] == ["m-one"]


def test_unknown_category_says_which_exist(cwd):
    write_bank(cwd / "mine.toml", "mine", ("m-one", "panel", "behavioral"),
               ("m-two", "wrap-up", "closing"))
    result = run("questions", "--bank", "mine.toml", "--category", "closing")
    assert result.exit_code == 1
    assert result.output == ("Error: No category 'closing' in bank 'mine'. "
                             "Categories: panel, wrap-up.\n")


def test_unknown_category_across_all_banks():
    categories = ", ".join(dict.fromkeys(q.category for b in load_banks() for q in b.questions))
    result = run("questions", "--category", "failure")
    assert result.exit_code == 1
    assert result.output == ("Error: No category 'failure'. Did you mean failure-and-resilience? "
                             f"Categories: {categories}.\n")


def test_bad_bank_path_gives_one_clear_line(cwd):
    result = run("questions", "--bank", "nope.toml")
    assert result.exit_code == 1
    assert result.output == ("Error: No such bank file: nope.toml. Give the path of a .toml "
                             "file, or a bank name (see: mockview banks).\n")


def test_unknown_bank_name_lists_the_banks():
    names = ", ".join(bank.name for bank in load_banks())
    result = run("questions", "--bank", "nope")
    assert result.exit_code == 1
    assert result.output == (f"Error: No bank named 'nope'. Banks: {names}. "
                             "Or give the path of a .toml file.\n")


def test_broken_bank_file_gives_one_clear_line(cwd):
    (cwd / "broken.toml").write_text('[[questions]]\nid = "b-one"\ntext = "Why?"\n'
                                     'category = "panel"\nkind = "chat"\n')
    result = run("questions", "--bank", "broken.toml")
    assert result.exit_code == 1
    assert result.output == (
        "Error: broken.toml: question 'b-one': 'kind' must be one of intro, behavioral, "
        "motivation, strengths, situational, technical, closing (got 'chat').\n")
    assert "Traceback" not in result.output


# --- banks ----------------------------------------------------------------------------------


def test_banks_json(cwd):
    write_bank(cwd / "banks" / "mine.toml", "mine", ("m-one", "panel", "behavioral"))
    result = run("banks", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed[0]["name"] == "core"
    assert listed[-1] == {"name": "mine", "title": "The mine bank", "description": "",
                          "question_count": 1, "categories": ["panel"],
                          "path": str(cwd / "banks" / "mine.toml")}
    assert sum(b["question_count"] for b in listed) == sum(len(b.questions) for b in load_banks())


def test_banks_table_says_where_own_banks_go(cwd):
    result = run("banks")
    assert result.exit_code == 0, result.output
    for name in ("Name", "Title", "Questions", "Path", "core", "behavioral"):
        assert name in result.stdout
    assert result.stderr == f"Your own banks go in {cwd / 'banks'} (one .toml file per bank).\n"


def test_banks_with_a_broken_user_bank(cwd):
    (cwd / "banks").mkdir()
    (cwd / "banks" / "bad.toml").write_bytes(b'[[questions]]\nid = "\xff"\n')
    result = run("banks")
    assert result.exit_code == 1
    assert result.output == ("Error: banks/bad.toml: not valid UTF-8 (byte 0xff on line 2). "
                             "Save the file with UTF-8 encoding.\n")


# --- help and start-up cost -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["questions", "banks"])
def test_help_has_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert f"mockview {command}" in result.output


def test_commands_do_not_import_heavy_modules():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from mockview.cli import cli\n"
        "for args in (['questions', '--json'], ['questions'], ['banks']):\n"
        "    result = CliRunner().invoke(cli, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "heavy = ('numpy', 'librosa', 'faster_whisper', 'sounddevice', 'ctranslate2')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "[]"
