"""mockview: practise job interview answers out loud, with local transcription and feedback.

The Python API is ``mockview.analyze_file(path, *, question=None, model=None) -> Report`` and
``Report.to_dict()`` (``mockview/api.py``); they are imported on first use, so importing
mockview (and ``mockview --help``) stays light.
"""

__version__ = "0.1.0"

__all__ = ["Report", "analyze_file"]


def __getattr__(name):
    if name in __all__:
        from mockview import api

        return getattr(api, name)
    raise AttributeError(f"module 'mockview' has no attribute {name!r}")
