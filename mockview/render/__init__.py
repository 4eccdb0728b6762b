"""Renderers: reports, comparisons and progress drawn for people, never computed here.

``terminal`` and ``trends`` draw with rich; ``markdown`` writes Markdown and JSON exports;
``plot`` and ``charts`` draw progress with matplotlib (PNG, inline SVG); ``html`` writes the
self-contained review page with ``media`` encoding its audio.
"""
