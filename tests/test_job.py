"""``--job FILE``: reading a job description, and its terms looked for in a real answer."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.errors import JobError
from mockview.job import MAX_JOB_BYTES, load_job

DATA = Path(__file__).parent / "data"

#: JFK says "my fellow Americans ... your country"; nothing about Kubernetes or mentoring
JOB = """# Public Service Fellow

We are looking for a fellow who serves the country, and who asks what the country needs.
You will work with Americans in every state, run Kubernetes clusters and mentor junior staff.
Strong communication skills; mentoring experience is a plus.
"""


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_a_job_file_is_read_with_its_title(tmp_path):
    path = tmp_path / "job.md"
    path.write_text("\n\n## Backend Engineer \nBuild data pipelines in Python.\n")
    job = load_job(path)
    assert job.title == "Backend Engineer"
    assert "data pipelines" in job.text


def test_a_byte_order_mark_is_not_part_of_the_text(tmp_path):
    path = tmp_path / "job.txt"
    path.write_bytes("\ufeffData Engineer\nPython\n".encode())
    assert load_job(path).title == "Data Engineer"


def directory(tmp_path):
    path = tmp_path / "jobs"
    path.mkdir()
    return path


def fifo(tmp_path):
    path = tmp_path / "job.fifo"
    os.mkfifo(path)
    return path


def written(data: bytes):
    def make(tmp_path):
        path = tmp_path / "job.txt"
        path.write_bytes(data)
        return path
    return make


BAD_JOBS = {
    "missing": (lambda tmp_path: tmp_path / "nowhere.txt", "No such job description file"),
    "directory": (directory, "is a directory: give --job the path of a text file"),
    "fifo": (fifo, "is not a regular file"),
    "empty": (written(b" \n\n#\n"), "is empty. Paste the job description into it"),
    "latin-1": (written("Café manager".encode("latin-1")), "is not UTF-8 text (byte 3)"),
    "binary": (written(b"PK\x03\x04\x00\x00binary"), "holds binary data, not text"),
    "huge": (written(b"word " * (MAX_JOB_BYTES // 5 + 1)), "a job description is expected"),
}


@pytest.mark.parametrize("case", BAD_JOBS)
def test_a_bad_job_file_is_one_clear_error(tmp_path, case):
    make, says = BAD_JOBS[case]
    path = make(tmp_path)
    with pytest.raises(JobError, match=re.escape(says)):
        load_job(path)


@pytest.mark.parametrize("command", [
    ["analyze", str(DATA / "jfk.flac")],
    ["practice", "--no-input", "--question", "beh-disagree"],
], ids=["analyze", "practice"])
@pytest.mark.parametrize("case", ["missing", "latin-1"])
def test_a_bad_job_file_stops_the_command_before_any_work(tmp_path, monkeypatch, command, case):
    monkeypatch.setenv("MOCKVIEW_HOME", str(tmp_path / "home"))

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded before the job file was checked")

    monkeypatch.setattr("mockview.speech.transcription.load_model", refuse)
    make, says = BAD_JOBS[case]
    result = run(*command, "--job", str(make(tmp_path)))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and says in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "home" / "mockview.db").exists()  # no empty session was started


@pytest.mark.model
def test_analyze_reports_which_job_terms_the_answer_mentions(tmp_path):
    job = tmp_path / "fellow.md"
    job.write_text(JOB)
    result = run("analyze", str(DATA / "jfk.flac"), "--job", str(job), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["job"] == {"title": "Public Service Fellow"}
    coverage = report["metrics"]["content"]["job"]
    matched = {m["term"].lower() for m in coverage["matched"]}
    missing = {m["term"].lower() for m in coverage["missing"]}
    assert {"americans", "country"} <= matched
    assert "kubernetes" in missing
    assert coverage["matched_count"] == len(coverage["matched"])
    assert coverage["total"] == len(coverage["matched"]) + len(coverage["missing"])
    for term in coverage["matched"]:  # each with where it was said, to check by ear
        assert 0.0 <= term["start_s"] < 11.0 and term["text"]
    result = run("analyze", str(DATA / "jfk.flac"), "--job", str(job), "--details")
    assert result.exit_code == 0, result.output
    assert "Job terms:" in result.output and "Kubernetes" in result.output
