"""The life of a server a test starts in a temp dir of its own: restart, close, and `with`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Self


class TempServer:
    """A server class gives `start`, `stop`, `root` and `_owns_root`; this gives the rest."""

    root: Path
    _owns_root: bool

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and delete the temp dir it made (its config, data and log)."""
        self.stop()
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
