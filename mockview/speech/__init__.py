"""From sound to a checked word timeline, and how the voice sounded.

``audio`` decodes any recording and finds its voice; ``transcription`` reads it with the
bundled Whisper model and checks what the model wrote against the audio (``voicing``
measures a filler's own voice); ``live`` does the same while a take is being recorded;
``delivery`` measures pitch, uptalk and volume on the same samples. Nothing here knows
about metrics or the store.
"""

#: an answer up to this long is held in memory once decoded (16 kHz float32: 115 MB for 30
#: minutes): transcribed from it, its delivery measured on it. A longer recording streams
#: through in flat memory, and its delivery is not measured (it is no answer).
IN_MEMORY_S = 30 * 60.0
