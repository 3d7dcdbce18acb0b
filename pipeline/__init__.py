"""One poll of a mailbox, batch by batch (ingest -> decide -> draft, one policy object), and the
service that schedules polls and sends."""
