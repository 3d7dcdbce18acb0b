"""The top floor: the `refund-intake` command line, one module per command group."""

__version__ = "0.1.0"
