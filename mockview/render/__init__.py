"""Renderers: the report dict drawn for a terminal, or written as JSON."""
