"""`python -m foresyte_desktop.bench`: the text-reading benchmark (text_speed.py)."""
import sys

from foresyte_desktop.bench.text_speed import main

sys.exit(main())
