"""Mail out: render drafts from templates, staff approval, and the SMTP outbox."""
