"""Charts and the self-contained HTML report."""
