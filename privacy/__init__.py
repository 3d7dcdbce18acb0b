"""Privacy: retention and purge, anonymisation, a person's export and erasure."""
