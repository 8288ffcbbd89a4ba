"""Everything LP Bot keeps, in one SQLite file. Only this package writes SQL."""

from storage.database import StorageError, Store, describe_failure

__all__ = ["Store", "StorageError", "describe_failure"]
