"""The stable Python API: ``mockview.analyze_file`` and ``Report.to_dict()``."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import mockview
from mockview.cli import cli
from mockview.errors import AudioError, BankError

from .audio_helpers import DATA

HEAVY = ("faster_whisper", "librosa", "sounddevice", "numpy", "ctranslate2", "av", "scipy")
CLIP = DATA / "61-70968-0000.flac"


def test_importing_mockview_and_reaching_the_api_names_loads_nothing_heavy():
    code = ("import sys, mockview\n"
            "assert callable(mockview.analyze_file) and mockview.Report.to_dict\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules])\n")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "[]"


def test_an_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'analyse_file'"):
        mockview.analyse_file  # noqa: B018


def test_a_missing_file_raises_the_audio_error_the_cli_shows(tmp_path):
    missing = tmp_path / "nope.wav"
    with pytest.raises(AudioError, match=f"No such file: {missing}"):
        mockview.analyze_file(missing)


def test_an_unknown_question_id_raises_a_bank_error_before_any_audio_is_read(tmp_path):
    # the file does not exist either: the question is checked first
    with pytest.raises(BankError, match="no-such-question"):
        mockview.analyze_file(tmp_path / "nope.wav", question="no-such-question")


@pytest.mark.model
def test_analyze_file_is_what_analyze_json_prints():
    report = mockview.analyze_file(CLIP, question="intro-about-yourself")
    assert isinstance(report, mockview.Report)

    result = CliRunner().invoke(cli, ["analyze", str(CLIP), "--question",
                                      "intro-about-yourself", "--json"])
    assert result.exit_code == 0, result.output
    assert report.to_dict() == json.loads(result.stdout)

    data = report.to_dict()
    assert data["question"]["id"] == report.question_id == "intro-about-yourself"
    assert report.path == str(CLIP)
    assert report.duration_s == data["audio"]["duration_s"] == pytest.approx(4.9, abs=0.1)
    assert report.transcript == data["transcript"]["text"] != ""
    assert report.words_per_minute == data["metrics"]["pace"]["words_per_minute"]
    assert report.fillers_per_minute == data["metrics"]["fillers"]["per_minute"]
    assert report.verdicts["length"] == data["metrics"]["length"]["verdict"]
    assert report.verdicts["pace"] == data["metrics"]["pace"]["verdict"]
    assert report.work_on == [item["title"] for item in data["feedback"]]
    assert report.analysis_version == data["analysis_version"]


@pytest.mark.model
def test_to_dict_is_a_copy_the_caller_may_change():
    report = mockview.analyze_file(CLIP)
    data = report.to_dict()
    data["metrics"]["pace"]["words_per_minute"] = -1
    data["feedback"].clear()
    assert report.to_dict()["metrics"]["pace"]["words_per_minute"] != -1
    assert report.question_id is None
