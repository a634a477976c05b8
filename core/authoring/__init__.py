"""Authoring kit for jurisdiction plugins: the ``new-plugin`` scaffold and the conformance kit (a pytest plugin)."""
