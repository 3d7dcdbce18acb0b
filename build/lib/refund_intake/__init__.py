"""refund-intake: the application shell (config, database, CLI, scheduler) around intake/ and decisions/."""

__version__ = "0.1.0"
