"""The built-in jurisdictions; each registers through the `shequ` entry-point group like any other plugin."""
