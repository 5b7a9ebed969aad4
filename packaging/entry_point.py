"""The frozen app's entry script: exactly `scim-assistant` (app.cli.main), nothing else."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
