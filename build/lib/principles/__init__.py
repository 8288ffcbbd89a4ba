"""The catalog of principles and the rules for finding one."""

from principles.catalog import Catalog, CatalogError, Principle, load_catalog
from principles.matching import Match, match_principle, search_principles

__all__ = ["Catalog", "CatalogError", "Match", "Principle", "load_catalog", "match_principle", "search_principles"]
