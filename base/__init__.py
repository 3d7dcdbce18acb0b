"""The ground every feature stands on: config, database and models, errors, vault, locks, logs,
policy files, and the documented record fields."""
