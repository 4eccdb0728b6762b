"""A minute of continuous recording with live transcription: no audio lost, memory flat.

The short version of ``bench/bench_load.py`` (whose default is 30 minutes and a 30-answer
practice session): real speech played into the virtual microphone, recorded by
``mockview.recording.record`` and fed to a ``LiveTranscriber`` as ``mockview practice`` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_load  # noqa: E402

pytestmark = [pytest.mark.mic, pytest.mark.slow, pytest.mark.model]

SECONDS = 60.0


def test_a_minute_of_recording_loses_no_audio_and_keeps_memory_flat(virtual_mic, tmp_path):
    speech = bench_load.build_speech(tmp_path / "speech.wav")
    model = bench_load.warmed_model()
    with bench_load.speech_playing(speech):
        result = bench_load.long_recording(SECONDS, model=model, workdir=tmp_path,
                                           sample_s=2.0)

    assert result["overflow_count"] == 0
    assert result["stopped_by"] == "time_limit"
    assert result["file_s"] == pytest.approx(SECONDS, abs=0.05)
    assert result["wall_s"] < SECONDS + 3  # the file is as long as the time it took
    # live transcription keeps up, so the audio it holds stays short
    assert result["max_behind_s"] < 30
    assert result["words"] > 100
    # the first pieces make the live worker's allocations once (measured: +70 MB); a
    # recording that kept its audio, or a transcriber that fell behind, would go on growing
    assert result["rss_growth_mb"] < 120
    assert result["rss_peak_mb"] - result["rss_start_mb"] < 160
