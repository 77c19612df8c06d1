"""Build-time tools that read the installed environment; not part of the app or its bundle."""
