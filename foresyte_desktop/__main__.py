"""`python -m foresyte_desktop` is the `foresyte` command."""
import sys

from foresyte_desktop.cli import main

if __name__ == "__main__":  # the analysis child process (spawn) imports this module too
    sys.exit(main())
