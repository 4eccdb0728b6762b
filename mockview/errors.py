"""The one exception family of mockview.

Library code raises these with a message that says what was wrong, with the value, and
what to do. Only the CLI turns them into exit codes and one line on stderr.
"""


class MockviewError(Exception):
    """Base class of every failure mockview knows how to explain."""


class AudioError(MockviewError):
    """An audio file that cannot be read or holds nothing usable."""


class BankError(MockviewError):
    """A question bank that is missing, malformed or inconsistent."""


class ModelError(MockviewError):
    """A speech model that cannot be found or loaded."""


class ModelDownloadNeeded(ModelError):
    """A named model that is not on this machine: using it means a download, asked first."""


class AnalysisError(MockviewError):
    """Input to the analysis that cannot be analysed (for example a bad word timeline)."""


class StoreError(MockviewError):
    """The session store cannot be opened, read or written, or has no such record."""


class DeviceError(MockviewError):
    """An audio device that cannot be found, opened or recorded from."""


class RecordingWriteError(DeviceError):
    """The disk refused the recording (full, read-only): the take so far is on disk.

    ``path`` is the recording and ``duration_s`` how much of it was written before the
    failure, so the caller can say what was kept and where.
    """

    def __init__(self, message: str, *, path, duration_s: float):
        super().__init__(message)
        self.path = path
        self.duration_s = duration_s


class JobError(MockviewError):
    """A job description file (``--job FILE``) that cannot be used."""


class VoiceError(MockviewError):
    """A text that cannot be spoken: no voice engine, or one that failed."""
