"""Work off the GUI thread (QtCore only): job workers on a QThreadPool, ordered store tasks, and
video frame decoding for the viewer. Results reach the GUI thread through queued signals."""
