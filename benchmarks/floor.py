"""The floor: imapclient FETCH in batches plus a mail-parser parse of every message, nothing else.

Run as a child process by the benchmark (`python -m benchmarks.floor MODE`), so that its peak
RSS is its own. Modes:
  fetch  FETCH only (BODY.PEEK[] and INTERNALDATE, as the product asks), no parse;
  parse  FETCH, then parse each message on this one core: the single-core floor;
  pool   the connection fetches while a pool of processes parses: what a second core adds.
Prints one JSON object: messages, bytes, seconds (inside the process) and the batch size.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import mailparser
from imapclient import IMAPClient

# The product turns both off too: imapclient logs every protocol line at DEBUG, and mail-parser
# logs a warning for each content type it leaves alone.
logging.getLogger("imapclient").setLevel(logging.INFO)
logging.getLogger("mailparser").setLevel(logging.ERROR)


def fetched(client: IMAPClient, batch_size: int) -> Iterator[list[bytes]]:
    """Every message of the selected folder, one FETCH per batch of UIDs."""
    uids = sorted(client.search(["ALL"]))
    for start in range(0, len(uids), batch_size):
        batch = uids[start:start + batch_size]
        response = client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"])
        yield [response[uid][b"BODY[]"] for uid in batch if uid in response]


def parse_all(raws: list[bytes]) -> list[tuple[str, str]]:
    """Subject and text of each: a pool has to ship what it parsed back, so the floor does too."""
    parsed = [mailparser.parse_from_bytes(raw) for raw in raws]
    return [(mail.subject, mail.body) for mail in parsed]


def drain(client: IMAPClient, mode: str, batch_size: int, workers: int) -> tuple[int, int]:
    messages = size = 0
    if mode != "pool":
        for raws in fetched(client, batch_size):
            if mode == "parse":
                parse_all(raws)
            messages += len(raws)
            size += sum(map(len, raws))
        return messages, size
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[list[tuple[str, str]]]] = deque()
        for raws in fetched(client, batch_size):
            pending.append(pool.submit(parse_all, raws))
            size += sum(map(len, raws))
            while len(pending) > 2 * workers:  # back-pressure: memory stays flat with the folder
                messages += len(pending.popleft().result())
        messages += sum(len(future.result()) for future in pending)
    return messages, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("fetch", "parse", "pool"))
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--folder", default="INBOX")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    started = time.perf_counter()
    with IMAPClient(args.host, port=args.port, ssl=False, timeout=120) as client:
        client.login(args.user, os.environ["BENCH_IMAP_PASSWORD"])
        client.select_folder(args.folder, readonly=True)
        messages, size = drain(client, args.mode, args.batch_size, args.workers)
    print(json.dumps({"messages": messages, "bytes": size, "batch_size": args.batch_size,
                      "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
