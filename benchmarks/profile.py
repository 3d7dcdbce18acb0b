"""Where the product poll spends its time: py-spy samples `refund-intake poll --once` draining N.

`python -m benchmarks.profile [N]` (or `scripts/bench --profile`) fills a folder as the benchmark
does, drains it under py-spy (wall-clock samples, idle waits included, so time spent waiting on
Dovecot or the disk shows), and prints: the share of samples in each of refund-intake's own
functions (inclusive) and in each library (self time). The collapsed stacks are kept under
var/bench/ for a flame graph.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks import measure, product
from benchmarks.fill import fill, target
from testing import Dovecot

OWN_PACKAGES = {"intake", "decisions", "refund_intake", "replies", "desk"}
# Pipeline steps by the function that does them; a sample counts for the innermost one on its
# stack, so "orders lookup" inside "decide" is not counted twice. Unlisted: "other".
STEPS = {
    "ImapSource.fetch": "fetch (IMAP)", "ImapSource.settle": "settle on the server",
    "Preparer.submit": "wait for the parse workers", "prepare": "parse (in this process)",
    "BatchLookups.load": "batch lookups", "BatchLookups.by_message_id": "batch lookups",
    "BatchLookups.open_request_of": "batch lookups", "OrderBook.candidates": "batch lookups",
    "_store": "build rows", "_classify": "classify", "decide": "decide (pure core)",
    "request_facts": "decide: gather facts", "decide_request": "decide: gather facts",
    "number_new_rows": "flush (write the batch)", "flush": "flush (write the batch)",
    "Session.flush": "flush (write the batch)", "Session.commit": "commit",
    "render": "draft: render templates", "build_context": "draft: context (dates, money)",
    "draft_replies": "draft: other", "_draft_batch": "draft: other",
    "_ingest_batch": "batch: other", "session_scope": "commit",
}
FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")


def py_spy() -> str:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found is None:
        raise SystemExit("py-spy is not installed: .venv/bin/pip install -e '.[bench]'")
    return found


def frames(line: str) -> tuple[list[tuple[str, str]], int]:
    stack, _, count = line.rpartition(" ")
    parsed = []
    for frame in stack.split(";"):
        match = FRAME.match(frame)
        parsed.append((match["function"], match["file"]) if match else (frame, ""))
    return parsed, int(count)


def place(file: str) -> str:
    """py-spy names files by import path: `own: intake/parse.py`, a package, or a module."""
    if not file:
        return "(native)"
    head = file.split("/", 1)[0]
    if head in OWN_PACKAGES:
        return f"own: {file}"
    return head if "/" in file else Path(file).stem


def is_own(file: str) -> bool:
    return file.split("/", 1)[0] in OWN_PACKAGES


def summarise(collapsed: Path, top: int = 22) -> str:
    """The poller's main thread only: the parse workers' threads wait on queues (idle samples)."""
    inclusive: Counter[str] = Counter()
    steps: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        if not line.strip():
            continue
        stack, count = frames(line)
        if not stack or stack[0][0] != "<module>":
            continue  # not the main thread
        total += count
        self_time[place(stack[-1][1])] += count
        for name in {f"{function} ({file})" for function, file in stack if is_own(file)}:
            inclusive[name] += count
        for library in {place(file) for _, file in stack if file and not is_own(file)}:
            libraries[library] += count
        steps[next((STEPS[name] for f, file in reversed(stack)
                    if (name := f.split(".<locals>")[0]) in STEPS
                    and (is_own(file) or f.startswith("Session."))),
                   "other (start-up, ...)")] += count
    sections = (("pipeline steps (each sample counted once, for its innermost step):", steps),
                ("refund-intake functions, inclusive (share of samples with it on the stack):",
                 inclusive), ("libraries and modules, inclusive:", libraries),
                ("self time (the frame running) by library or module:", self_time))
    lines = [f"{total} samples of the main thread"]
    for title, counter in sections:
        lines += ["", title]
        lines += [f"  {count / total:6.1%}  {name}" for name, count in counter.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=int, default=200, help="samples per second")
    args = parser.parse_args()
    out = measure.REPOSITORY / "var" / "bench" / f"profile-{args.n}.collapsed"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="refund-intake-profile-") as tmp, Dovecot() as server:
        workdir = Path(tmp)
        user = server.new_user(f"profile-{args.n}")
        filled = fill(server, user, args.n, args.seed, workdir)
        config = product.write_config(workdir / "sqlite", target(user), product.sqlite_url(workdir),
                                      100)
        product.prepare(config, filled.orders_csv)
        cli = Path(sys.executable).with_name("refund-intake")
        run = measure.run([py_spy(), "record", "--idle", "--rate", str(args.rate), "--format",
                           "raw", "--output", str(out), "--", str(cli), "--config", str(config),
                           "poll", "--once"]).check()
    print(f"N={args.n:,}: poll --once under py-spy took {run.wall:.1f} s "
          f"({args.n / run.wall:,.0f} msg/s with sampling overhead)\n")
    print(summarise(out))
    print(f"\ncollapsed stacks: {out.relative_to(measure.REPOSITORY)}")


if __name__ == "__main__":
    main()
