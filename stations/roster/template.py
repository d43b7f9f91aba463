"""The import template of a roster: the header in the roster's columns, an example row,
dropdowns for the columns with fixed values, and a sheet of instructions."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from liaison.excel import HEADER_FILL, HEADER_FONT, TITLE_FONT, print_setup, sheet_name, text_only
from stations.roster.columns import Roster, display_value, general_notes, header_font


def template_workbook(roster: Roster, user) -> bytes:
    """The import template: header, one example row, dropdowns and an instructions sheet.

    An ordinary (in-memory) workbook, because its dropdowns are data validations
    over whole columns; it is two small sheets, and both get the print setup.
    """
    columns = roster.columns_for(user)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(roster.title)
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        header = ws.cell(row=1, column=i, value=str(column.label))
        header.font, header.fill = header_font(column), HEADER_FILL
        header.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[letter].width = column.width
        if column.text_format:
            ws.column_dimensions[letter].number_format = "@"
        example = ws.cell(row=2, column=i, value=display_value(column, column.example))
        example.font = Font(italic=True, color="808080")
        if column.text_format:
            example.number_format = "@"
        labels = column.allowed_labels()
        if labels:
            dv = DataValidation(
                type="list",
                formula1='"{}"'.format(",".join(label.replace('"', "") for label in labels)),
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                error=_("Choose a value from the list."),
            )
            dv.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    print_setup(ws, header_row=1, columns=len(columns))

    notes = wb.create_sheet(sheet_name(_("Instructions")))
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 40
    notes.append([_("%(roster)s: how to fill it in") % {"roster": roster.title}])
    notes["A1"].font = TITLE_FONT
    for line in general_notes(roster):
        notes.append([line])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("Description"), _("Allowed values")])
    notes_header = notes.max_row
    for cell in notes[notes_header]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for column in columns:
        notes.append(
            [
                str(column.label),
                _("Yes") if column.required else "",
                str(column.help),
                " / ".join(column.allowed_labels()),
            ]
        )
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    print_setup(notes, header_row=notes_header, columns=4)
    for sheet in (ws, notes):
        text_only(sheet)  # names from the database (choices) never become formulas
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
