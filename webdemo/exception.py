"""webdemo's exception hierarchy.

Every error an operator can meet is a WebdemoError whose message is one
line naming the problem and what to do about it. The command line maps
each class to an exit code (webdemo/cmd/manage.py).
"""


class WebdemoError(Exception):
    """Base of every webdemo error."""


class ConfigurationError(WebdemoError):
    """The configuration is missing, unreadable or invalid."""


class DatabaseConnectionError(WebdemoError):
    """The database cannot be reached, or refused us."""


class MigrationError(WebdemoError):
    """A migration failed while running."""


class UnknownDatabaseRevision(WebdemoError):
    """The database is at a revision this code does not know."""


class UnversionedDatabase(WebdemoError):
    """The database has tables but no version information."""


class InvalidRevision(WebdemoError):
    """A revision given on the command line is unknown or ambiguous."""


class ConfirmationRequired(WebdemoError):
    """The command would lose data and the operator has not confirmed."""


class UpgradePending(WebdemoError):
    """The database must be at head for this and is not."""


class MigrationLockTimeout(WebdemoError):
    """Another migration held the lock for longer than we would wait."""


class InterruptedMigration(WebdemoError):
    """A migration in the other direction was left half-done."""
