"""Mail in, one module per step: prepare, parse, guards, thread, extract, decide, ingest."""
