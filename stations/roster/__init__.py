"""Excel rosters of stations and representatives: columns, template, import and export.

Each roster's columns are defined once (`STATION_ROSTER`, `REPRESENTATIVE_ROSTER`,
in `columns`) and drive the template, the importer and the exporter, so an
exported file can be edited and imported again. Imports and large exports run
as background jobs (liaison.jobs); every read and write goes through the job
owner's `visible_to()` querysets, and a reference to something outside the
owner's scope reads exactly like a reference to something that does not exist.

Importing this package registers the job runners of `importing` and `exporting`.
"""

from liaison.excel import XLSX_CONTENT_TYPE  # re-exported: the upload form checks files against it
from stations.roster import exporting, importing  # noqa: F401  (register the job runners)
from stations.roster.columns import (
    DIRECT_EXPORT_LIMIT,
    REPRESENTATIVE_EXPORT,
    REPRESENTATIVE_IMPORT,
    REPRESENTATIVE_ROSTER,
    STATION_EXPORT,
    STATION_IMPORT,
    STATION_ROSTER,
    Roster,
    general_notes,
)
from stations.roster.exporting import export_queryset, export_sheet, write_export
from stations.roster.template import template_workbook

__all__ = [
    "DIRECT_EXPORT_LIMIT",
    "REPRESENTATIVE_EXPORT",
    "REPRESENTATIVE_IMPORT",
    "REPRESENTATIVE_ROSTER",
    "STATION_EXPORT",
    "STATION_IMPORT",
    "STATION_ROSTER",
    "XLSX_CONTENT_TYPE",
    "Roster",
    "export_queryset",
    "export_sheet",
    "general_notes",
    "template_workbook",
    "write_export",
]
