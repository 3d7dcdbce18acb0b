"""`python -m refund_intake`: the same as the `refund-intake` command."""

import sys

from refund_intake.cli import main

sys.exit(main())
