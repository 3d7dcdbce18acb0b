"""Mail out: draft replies from templates, staff approval, the outbox that sends, reminders."""
