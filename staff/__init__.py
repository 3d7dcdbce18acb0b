"""Staff: accounts and roles, and the audit trail of what each person did or tried."""
