"""`python -m foresyte_desktop` is the `foresyte` command."""
import sys

from foresyte_desktop.cli import main

sys.exit(main())
