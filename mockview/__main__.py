"""Allow ``python -m mockview``."""

from mockview.cli import cli

cli(prog_name="mockview")
