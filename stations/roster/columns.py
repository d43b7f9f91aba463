"""Roster columns and shared constants; the import template is built in `template`."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font

from stations.models import Level, ProfessionalGroup, Representative, Station, StationKind

# Up to this many rows an export is written during the request; above it, a job.
DIRECT_EXPORT_LIMIT = 2000
# A file where every row is wrong would otherwise store a six-figure error list.
MAX_REPORTED_ERRORS = 10_000
LOOKUP_CHUNK = 900  # codes per `IN (...)`: below SQLite's historic 999-parameter limit
WRITE_BATCH = 1000
HEADER_SEARCH_ROWS = 10  # offices often put a title row or two above the header
CODE_SEPARATORS = re.compile(r"[、,，;；\s]+")

STATION_IMPORT, STATION_EXPORT = "stations.import", "stations.export"
REPRESENTATIVE_IMPORT, REPRESENTATIVE_EXPORT = "representatives.import", "representatives.export"


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One roster column. `field` is the model field it fills (None: handled by the roster)."""

    key: str
    label: object  # lazy translated header label
    help: object
    type: str = "text"  # text | int | decimal | bool | choice | code | codes
    field: str | None = None
    required: bool = False
    choices: tuple = ()  # (value, lazy label) pairs for type "choice"
    places: int = 0  # decimal places for type "decimal"
    width: int = 14
    example: object = ""
    text_format: bool = False  # keep Excel from turning long numbers into 1.1E+11
    private: bool = False  # only for users who may see representatives' private phones

    def allowed_labels(self) -> list[str]:
        if self.type == "choice":
            return [str(label) for _value, label in self.choices]
        if self.type == "bool":
            return [_("Yes"), _("No")]
        return []


STATION_COLUMNS = (
    Column(
        "code",
        gettext_lazy("Station number"),
        gettext_lazy("The number the office gives the station, e.g. 110119100-01."),
        type="code",
        field="code",
        required=True,
        width=18,
        example="110119100-01",
        text_format=True,
    ),
    Column(
        "name",
        gettext_lazy("Station name"),
        gettext_lazy("The full name on the station's sign."),
        field="name",
        required=True,
        width=28,
        example="东关村人大代表联络站",
    ),
    Column(
        "kind",
        gettext_lazy("Kind"),
        gettext_lazy("Choose from the list."),
        type="choice",
        field="kind",
        required=True,
        choices=tuple(StationKind.choices),
        width=16,
        example=StationKind.STATION,
    ),
    Column(
        "parent",
        gettext_lazy("Parent station number"),
        gettext_lazy(
            "The number of the home or station this one belongs to: an existing one or one in this file. Leave blank for a home."
        ),
        type="code",
        width=18,
        example="110119100-00",
        text_format=True,
    ),
    Column(
        "jurisdiction",
        gettext_lazy("Administrative code"),
        gettext_lazy("The 12-digit code of the district, street, township, community or village."),
        type="code",
        required=True,
        width=16,
        example="110119100201",
        text_format=True,
    ),
    Column(
        "address",
        gettext_lazy("Address"),
        gettext_lazy("Where residents find the station."),
        field="address",
        required=True,
        width=32,
        example="延庆区延庆镇东关村村委会二层",
    ),
    Column(
        "latitude",
        gettext_lazy("Latitude"),
        gettext_lazy("Decimal degrees, e.g. 40.465500. Give both latitude and longitude, or neither."),
        type="decimal",
        field="latitude",
        places=6,
        width=12,
        example=Decimal("40.465500"),
    ),
    Column(
        "longitude",
        gettext_lazy("Longitude"),
        gettext_lazy("Decimal degrees, e.g. 115.985300."),
        type="decimal",
        field="longitude",
        places=6,
        width=12,
        example=Decimal("115.985300"),
    ),
    Column(
        "opening_hours",
        gettext_lazy("Opening hours"),
        gettext_lazy("For example: Mon-Fri 9:00-17:00; reception day the 15th."),
        field="opening_hours",
        width=28,
        example="周一至周五 9:00-17:00，每月15日接待日",
    ),
    Column(
        "phone",
        gettext_lazy("Phone"),
        gettext_lazy("A mobile number or a landline such as 010-69101234."),
        field="phone",
        width=16,
        example="010-69101234",
        text_format=True,
    ),
    Column(
        "area_m2",
        gettext_lazy("Floor area (m²)"),
        gettext_lazy("Whole square metres."),
        type="int",
        field="area_m2",
        width=12,
        example=120,
    ),
    Column(
        "annual_budget",
        gettext_lazy("Annual budget (yuan)"),
        gettext_lazy("Yuan, at most two decimals."),
        type="decimal",
        field="annual_budget",
        places=2,
        width=14,
        example=Decimal("20000.00"),
    ),
    Column(
        "is_active",
        gettext_lazy("In service"),
        gettext_lazy("Yes or no; blank means yes."),
        type="bool",
        field="is_active",
        width=10,
        example=True,
    ),
)

REPRESENTATIVE_COLUMNS = (
    Column(
        "code",
        gettext_lazy("Representative number"),
        gettext_lazy("The number the office gives the representative: letters, digits and hyphens."),
        type="code",
        field="code",
        required=True,
        width=18,
        example="R-2026-001",
        text_format=True,
    ),
    Column(
        "name",
        gettext_lazy("Full name"),
        gettext_lazy("Full name."),
        field="name",
        required=True,
        width=12,
        example="张建国",
    ),
    Column(
        "gender",
        gettext_lazy("Gender"),
        gettext_lazy("Choose from the list."),
        type="choice",
        field="gender",
        choices=tuple(Representative.Gender.choices),
        width=8,
        example=Representative.Gender.MALE,
    ),
    Column(
        "level",
        gettext_lazy("Level"),
        gettext_lazy("The congress the representative sits in."),
        type="choice",
        field="level",
        required=True,
        choices=tuple(Level.choices),
        width=14,
        example=Level.COUNTY,
    ),
    Column(
        "jurisdiction",
        gettext_lazy("Elected in (administrative code)"),
        gettext_lazy(
            "The 12-digit code of the province, city, district or township whose congress the representative sits in."
        ),
        type="code",
        required=True,
        width=18,
        example="110119000000",
        text_format=True,
    ),
    Column(
        "constituency",
        gettext_lazy("Constituency"),
        gettext_lazy("The electoral district."),
        field="constituency",
        width=18,
        example="延庆镇第3选区",
    ),
    Column(
        "work_unit",
        gettext_lazy("Work unit"),
        gettext_lazy("Employer or organisation."),
        field="work_unit",
        width=24,
        example="延庆镇东关村村民委员会",
    ),
    Column(
        "position",
        gettext_lazy("Position"),
        gettext_lazy("Post in the work unit."),
        field="position",
        width=14,
        example="村委会主任",
    ),
    Column(
        "public_phone",
        gettext_lazy("Public phone"),
        gettext_lazy("Shown to residents: a mobile number or a landline such as 010-69101234."),
        field="public_phone",
        width=16,
        example="010-69101234",
        text_format=True,
    ),
    Column(
        "private_phone",
        gettext_lazy("Private phone"),
        gettext_lazy("An 11-digit mobile number; never shown to the public."),
        field="private_phone",
        width=14,
        example="13900000000",
        text_format=True,
        private=True,
    ),
    Column(
        "professional_group",
        gettext_lazy("Professional group"),
        gettext_lazy("Choose from the list."),
        type="choice",
        field="professional_group",
        choices=tuple(ProfessionalGroup.choices),
        width=16,
        example=ProfessionalGroup.AGRICULTURE,
    ),
    Column(
        "grid_cell",
        gettext_lazy("Grid cell"),
        gettext_lazy("The governance grid cell the representative is attached to."),
        field="grid_cell",
        width=16,
        example="东关村第2网格",
    ),
    Column(
        "term_number",
        gettext_lazy("Term number"),
        gettext_lazy("The session number of the congress, e.g. 17."),
        type="int",
        field="term_number",
        width=10,
        example=17,
    ),
    Column(
        "term_start",
        gettext_lazy("Term start (year)"),
        gettext_lazy("Four-digit year."),
        type="int",
        field="term_start",
        width=10,
        example=2021,
    ),
    Column(
        "term_end",
        gettext_lazy("Term end (year)"),
        gettext_lazy("Four-digit year, not before the start."),
        type="int",
        field="term_end",
        width=10,
        example=2026,
    ),
    Column(
        "stations",
        gettext_lazy("Station numbers"),
        gettext_lazy(
            "The stations the representative is attached to. Separate several numbers with “、”, “,” or “;”. Listed stations are added; existing memberships are kept."
        ),
        type="codes",
        width=26,
        example="110119100-01、110119100-02",
        text_format=True,
    ),
    Column(
        "head_of",
        gettext_lazy("Head of station (number)"),
        gettext_lazy("Optional: the number of the station this representative heads. A station has at most one head."),
        type="codes",
        width=18,
        example="110119100-01",
        text_format=True,
    ),
    Column(
        "is_active",
        gettext_lazy("Serving"),
        gettext_lazy("Yes or no; blank means yes."),
        type="bool",
        field="is_active",
        width=8,
        example=True,
    ),
)


@dataclass(frozen=True)
class Roster:
    key: str  # "stations" | "representatives": also the nav entry
    model: type
    columns: tuple[Column, ...]
    title: object  # "Station roster"
    entity: object  # "station"
    import_kind: str
    export_kind: str
    notes: tuple = field(default=())

    def column(self, key) -> Column:
        return next(c for c in self.columns if c.key == key)

    def columns_for(self, user) -> list[Column]:
        private = user.has_perm("stations.view_private_phone")
        return [c for c in self.columns if private or not c.private]

    def template_filename(self) -> str:
        return _("%(roster)s import template.xlsx") % {"roster": self.title}

    def export_filename(self) -> str:
        return f"{self.title}-{timezone.localdate():%Y%m%d}.xlsx"


STATION_ROSTER = Roster(
    "stations",
    Station,
    STATION_COLUMNS,
    gettext_lazy("Station roster"),
    gettext_lazy("station"),
    STATION_IMPORT,
    STATION_EXPORT,
    notes=(
        gettext_lazy(
            "A parent station may be a station that already exists or one defined in the same file; "
            "a home has no parent, a station belongs to a home, a contact point to a station or a home."
        ),
    ),
)
REPRESENTATIVE_ROSTER = Roster(
    "representatives",
    Representative,
    REPRESENTATIVE_COLUMNS,
    gettext_lazy("Representative roster"),
    gettext_lazy("representative"),
    REPRESENTATIVE_IMPORT,
    REPRESENTATIVE_EXPORT,
    notes=(
        gettext_lazy(
            "Station numbers add the representative to those stations; memberships not listed are kept. "
            "Remove a representative from a station on the station's page."
        ),
    ),
)


def general_notes(roster: Roster) -> list[str]:
    """The instructions shown on the import page and in the template's second sheet."""
    entity = roster.entity
    return [
        _(
            "Fill in one %(entity)s per row below the header row. Keep the header row; columns may be in any order and extra columns are ignored."
        )
        % {"entity": entity},
        _(
            "Required columns (red headers in the template) must be filled in. The first row below the header is an example: replace it or delete it."
        ),
        _(
            "When the number matches a %(entity)s in your area, that record is updated with the values in the file; otherwise a new one is created."
        )
        % {"entity": entity},
        _(
            "The whole file is checked first. If any row has a problem, nothing is imported and every problem is listed with its row number."
        ),
        _("At most %(count)s rows per file.")
        % {"count": number_format(settings.LIAISON_MAX_IMPORT_ROWS, force_grouping=True)},
        *[str(n) for n in roster.notes],
    ]


# --------------------------------------------------------------------------- cells


def header_font(column):
    """A header in the template and the export: red for a column the import requires."""
    return Font(bold=True, color="C00000" if column.required else "000000")


def display_value(column: Column, value):
    """A value as a cell shows it: choice and yes/no values become their translated labels."""
    if column.type == "choice":
        return str(dict(column.choices).get(value, value or ""))
    if column.type == "bool":
        return _("Yes") if value else _("No")
    return value
