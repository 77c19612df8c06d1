"""The exit codes the `foresyte` command and the window share."""

EXIT_OK = 0  # everything asked for went well
EXIT_FAILED = 1  # a job or an export failed, or the data folder cannot be used
EXIT_USAGE = 2  # the command line was wrong, or the window has no display
EXIT_LOCKED = 3  # another ForeSyte process holds the database
# A run stopped by signal N (Ctrl+C, SIGTERM) exits 128 + N, the shell's convention.
