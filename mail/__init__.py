"""The wire, both directions: IMAP and Maildir sources, SMTP, the Sent folder, outgoing MIME."""
