"""Errors whose message is a sentence an analyst can act on, never a traceback."""


class ForesyteError(Exception):
    """Base for every error shown to the user as its message alone."""


class VideoError(ForesyteError):
    """A file cannot be used as a video: missing, not an MP4, no stream, undecodable."""


class ModelError(ForesyteError):
    """Model weights cannot be found or loaded."""


class StoreError(ForesyteError):
    """The job database cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the job database (DuckDB allows one writer process)."""


class ReviewError(ForesyteError):
    """A review action refused: the job cannot be edited now, or the edit makes no sense."""
