# Conveniences; the scripts are the source of truth (a fresh Debian may not have make).
.PHONY: demo test bench bench-understanding
demo:
	./scripts/demo
test:
	./scripts/test
bench:
	./scripts/bench
# Understanding (issue 13) on the labelled corpus: SPLIT=heldout (default) or SPLIT=dev.
bench-understanding:
	.venv/bin/python -m benchmarks understanding --split $(or $(SPLIT),heldout)
