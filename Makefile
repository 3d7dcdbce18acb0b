# Conveniences; the scripts are the source of truth (a fresh Debian may not have make).
.PHONY: demo test bench
demo:
	./scripts/demo
test:
	./scripts/test
bench:
	./scripts/bench
