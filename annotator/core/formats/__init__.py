"""Readers and writers of exchange formats. Readers yield FORMAT.md records (dicts) or Problems."""
