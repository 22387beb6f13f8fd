"""The catalog: a rebuildable SQLite cache of every catalogued folder's photos and their sidecars."""
from editor.core.catalog.catalog import Catalog, default_path
from editor.core.catalog.model import Folder, Photo, ScanReport
from editor.core.catalog.query import SORTS, Filter, parse_date
from editor.core.catalog.schema import SCHEMA_VERSION, CatalogCorrupt, CatalogError, CatalogVersionError

__all__ = ["Catalog", "CatalogCorrupt", "CatalogError", "CatalogVersionError", "Filter", "Folder", "Photo",
           "SCHEMA_VERSION", "SORTS", "ScanReport", "default_path", "parse_date"]
