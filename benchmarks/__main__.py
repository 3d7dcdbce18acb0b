"""`python -m benchmarks [--quick]`: see benchmarks/run.py.
`python -m benchmarks understanding [--split dev|heldout]`: see benchmarks/understanding.py."""

import sys

if sys.argv[1:2] == ["understanding"]:
    from benchmarks.understanding import main as understanding

    sys.exit(understanding(sys.argv[2:]))

from benchmarks.run import main

sys.exit(main())
