"""ForeSyte Desktop: read the text and objects in video files."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("foresyte-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
