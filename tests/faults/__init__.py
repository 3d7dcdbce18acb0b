"""The fault suite (issue 7): kill, break and fuzz intake, then assert exact counts.

Not here yet, waiting for their harnesses:
- kill -9 the sender at random points while it sends 100 approved replies to a real SMTP server;
  the server must receive each exactly once (needs the outbox, replies/outbox.py, to settle);
- restart PostgreSQL during a poll: the poll fails in one line, loses nothing, and the next one
  catches up (needs the PostgreSQL test harness).
"""
