#!/usr/bin/env python
"""Django's manage.py; ``recordroom`` (the console command) does the same."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from recordroom.__main__ import main

if __name__ == "__main__":
    main()
