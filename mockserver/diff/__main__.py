"""``python -m mockserver.diff OLD NEW``."""

import sys

from mockserver.diff.command import main

sys.exit(main())
