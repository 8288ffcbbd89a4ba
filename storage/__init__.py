"""Everything LP Bot keeps, in one SQLite file. Only this package writes SQL."""

from storage.database import Store, StorageError, describe_failure

__all__ = ["Store", "StorageError", "describe_failure"]
