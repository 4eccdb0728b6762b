"""The question banks bundled with mockview (TOML files, read with importlib.resources)."""
