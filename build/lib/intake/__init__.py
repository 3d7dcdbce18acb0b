"""Mail in: sources (IMAP, Maildir), parse, guards, thread, extract, store, poll."""
