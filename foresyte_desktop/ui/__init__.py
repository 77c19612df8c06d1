"""The desktop window: the job list, the frame viewer with its overlays, and their models."""
