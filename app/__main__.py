"""`python -m app` is the same as `scim-assistant`."""

import sys

from app.cli import main

sys.exit(main())
