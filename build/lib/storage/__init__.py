"""Everything LP Bot keeps, in one SQLite file. Only this package writes SQL."""

from storage.database import Store, StorageError

__all__ = ["Store", "StorageError"]
