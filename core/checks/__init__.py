"""Checks on encoded standards: quotes and numbers against the document (audit), validation and overlaps."""
