from __future__ import annotations

import sys

from isptui.cli import main

sys.exit(main())
