"""The config.toml that `refund-intake init` writes: every key it sets, commented."""

from __future__ import annotations

SECRETS = (
    ("REFUND_INTAKE_IMAP_PASSWORD", "the mailbox's IMAP password (or an app password)"),
    ("REFUND_INTAKE_SMTP_PASSWORD", "the SMTP password replies are sent with"),
    ("REFUND_INTAKE_WEB_SECRET   ", "signs staff logins: any long random text, e.g. "
                                    "`python3 -c 'import secrets; print(secrets.token_hex(32))'`"),
)

CONFIG_TEMPLATE = '''\
# refund-intake configuration, written by `refund-intake init`. Every key is explained in
# config.example.toml and the README. Relative paths are relative to this file.
# Secrets never live here: each is read from the environment variable named below.

[database]
# SQLite next to this file. For several instances sharing work, PostgreSQL (see the README).
url = "sqlite:///refund-intake.db"

[intake]
# Regular expressions that find order references in a subject or body (group 1, if any, is the
# reference). Set them to your shop's order numbers, e.g. ['\\bKRZ-\\d{{4,}}\\b'].
order_ref_patterns = ['\\b[A-Z]{{2,6}}-\\d{{3,}}\\b']

[[mailbox]]
# A short name for logs and `--mailbox NAME`.
name = "{name}"
# The only address refund requests are accepted at; mail sent elsewhere is "wrong_channel".
address = "{address}"
# The policy that decides this mailbox's requests. A shipped policy is copied here for you to read
# and adapt; check it after every edit with `refund-intake policy check FILE`.
policy = "{policy}"
# Reply language when a message's own language cannot be told (en or fr).
language = "en"
# After a message is stored: leave | flag (the $RefundIntake keyword) | move (to move_to).
after = "leave"
# A plain folder name (no delimiter) is placed in your personal namespace, as the server
# names it: "Processed" becomes "INBOX.Processed" on Cyrus or Courier.
# move_to = "Processed"

[mailbox.imap]
host = "{imap_host}"
# tls (port 993) | starttls (port 143; never falls back to plaintext)
security = "tls"
port = 993
username = "{address}"
password_env = "REFUND_INTAKE_IMAP_PASSWORD"
folders = ["INBOX"]
# Where a copy of each sent reply goes. Unset: the folder your server marks as Sent (\\Sent,
# RFC 6154), else "Sent" in your personal namespace.
# sent_folder = "Sent"

[smtp]
host = "{smtp_host}"
# starttls (port 587) | tls (port 465); never falls back to plaintext.
security = "starttls"
port = 587
username = "{address}"
password_env = "REFUND_INTAKE_SMTP_PASSWORD"

[replies]
# Every reply waits for a person's approval in the staff page; true lets acknowledgements go alone.
auto_send_acknowledgements = false

[web]
# The staff page. Put it behind a TLS reverse proxy to reach it from elsewhere.
bind = "127.0.0.1"
port = 8080
secret_key_env = "REFUND_INTAKE_WEB_SECRET"
'''
