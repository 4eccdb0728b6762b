"""From sound to a checked word timeline, and how the voice sounded.

``audio`` decodes any recording and finds its voice; ``transcription`` reads it with the
bundled Whisper model and checks what the model wrote against the audio (``voicing``
measures a filler's own voice); ``live`` does the same while a take is being recorded;
``delivery`` measures pitch, uptalk and volume on the same samples. Nothing here knows
about metrics or the store.
"""
