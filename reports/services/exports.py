"""The annual figures as tables, and the exports made from them (JSON, CSV, XLSX, PDF).

One source: `annual_figures` gives the dict; `report_tables` turns it into the tables the
report page, the XLSX sheets and the PDF show; `publish` hides small counts in every table
for the public version (reports/services/suppression.py) and `published_figures` turns the
tables back into the JSON's shape for the public JSON and CSV. The PDF is drawn in
export_pdf.py. Counts only: the figures hold no free text.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from contacts.models import (
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
    ContactType,
    Gender,
    Referral,
    Region,
    Theme,
    VictimAgeGroup,
    ViolenceContext,
    ViolenceForm,
)
from meldpunt.channels import Channel
from staffing.services.time import BRUSSELS

from .figures import COUNSELLING, NON_COUNSELLING, code_list, counselling_kind
from .suppression import extended_grid, suppressed_cells

# How a hidden count is shown in every published table and export.
HIDDEN = "x"

FORMATS = ("json", "csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class PdfUnavailable(Exception):
    """WeasyPrint (or the Pango libraries it loads) is not installed on this machine."""


@dataclass
class ReportTable:
    """One table of the report: parts (rows x columns) and their totals.

    1-D tables have a single column and only a total row (or no totals at all). `links` name
    the margins this table shares with others ("month:3", "contacts"), so that a count hidden
    in one table is hidden in every table that shows it.
    """

    key: str
    title: str
    row_heading: str
    rows: list[tuple[str, str]]  # (code, label)
    columns: list[tuple[str, str]]
    cells: list[list[int]]
    row_totals: bool = True
    column_totals: bool = True
    row_link: str = ""
    column_link: str = ""
    grand_link: str = ""
    note: str = ""
    # The cells are tied by one identity besides the totals (the callers table: distinct -
    # repeat = contacts with a profile - contacts of repeat callers), so a single hidden
    # cell could be worked out from the others: publish hides a second one.
    one_identity: bool = False
    # A sentence shown under the table, made from the published figures (set by
    # annual_report, so the public version never shows a hidden count in it).
    summary: str = ""
    hidden: set[tuple[int, int]] = field(default_factory=set)

    @property
    def is_2d(self) -> bool:
        return self.row_totals

    @property
    def grid(self) -> list[list[int]]:
        return extended_grid(
            self.cells, row_totals=self.row_totals, column_totals=self.column_totals
        )

    @property
    def published(self) -> list[list[int | str]]:
        """The extended grid with HIDDEN for every hidden count."""
        return [
            [HIDDEN if (i, j) in self.hidden else value for j, value in enumerate(row)]
            for i, row in enumerate(self.grid)
        ]

    @property
    def header(self) -> list[str]:
        labels = [label for _code, label in self.columns]
        return [*labels, _("Total")] if self.row_totals else labels

    @property
    def row_labels(self) -> list[str]:
        labels = [label for _code, label in self.rows]
        return [*labels, _("Total")] if self.column_totals else labels

    def body(self) -> list[tuple[str, list[int | str], bool]]:
        """(label, values, is_total_row) of every row, totals included, as published."""
        return [
            (label, values, self.column_totals and i == len(self.rows))
            for i, (label, values) in enumerate(zip(self.row_labels, self.published, strict=True))
        ]

    def links(self) -> dict[tuple[int, int], str]:
        n_rows, n_columns = len(self.rows), len(self.columns)
        found = {}
        if self.row_link:
            column = n_columns if self.row_totals else 0
            for i, (code, _label) in enumerate(self.rows):
                found[(i, column)] = f"{self.row_link}:{code}"
        if self.column_link and self.column_totals:
            for j, (code, _label) in enumerate(self.columns):
                found[(n_rows, j)] = f"{self.column_link}:{code}"
        if self.grand_link and self.column_totals:
            found[(n_rows, n_columns if self.row_totals else 0)] = self.grand_link
        return found

    def row_total(self, code: str) -> int | str | None:
        """The published total of a row (its value, in a 1-D table); None if no such row."""
        for i, (row_code, _label) in enumerate(self.rows):
            if row_code == code:
                return self.published[i][-1]
        return None

    def total(self) -> int | str | None:
        return self.published[-1][-1] if self.column_totals else None


# --- from the figures to the tables -------------------------------------------------------


def _labels(model) -> list[tuple[str, str]]:
    terms = [(term.code, str(term)) for term in code_list(model)]
    return [*terms, ("", _("Not recorded"))]


def _with_unknown_codes(labels: list[tuple[str, str]], codes) -> list[tuple[str, str]]:
    """Codes in the figures that the taxonomy no longer lists keep their row."""
    known = {code for code, _label in labels}
    return labels + [(code, code) for code in codes if code not in known]


def report_tables(figures: dict) -> list[ReportTable]:
    """Every breakdown of the annual figures as a table with totals, in the report's order."""
    months = [(str(m), str(MONTH_NAMES[m])) for m in range(1, 13)]
    channels = [(channel.value, str(channel.label)) for channel in Channel]
    contacts = [("", _("Contacts"))]

    def one_d(key, title, heading, labels, *, row_link="", grand_link="contacts", **extra):
        values = figures[key]
        rows = _with_unknown_codes(labels, values)
        return ReportTable(
            key=key,
            title=title,
            row_heading=heading,
            rows=rows,
            columns=extra.pop("columns", contacts),
            cells=[[values.get(code, 0)] for code, _label in rows],
            row_totals=False,
            row_link=row_link,
            grand_link=grand_link,
            **extra,
        )

    def two_d(key, title, heading, row_labels, column_labels, *, row_link, column_link):
        values = figures[key]
        rows = _with_unknown_codes(row_labels, values)
        column_codes = {code for row in values.values() for code in row}
        columns = _with_unknown_codes(column_labels, sorted(column_codes))
        return ReportTable(
            key=key,
            title=title,
            row_heading=heading,
            rows=rows,
            columns=columns,
            cells=[[values.get(r, {}).get(c, 0) for c, _l in columns] for r, _l in rows],
            row_link=row_link,
            column_link=column_link,
            grand_link="contacts",
        )

    def contact_types() -> ReportTable:
        """Contact types (rows) by counselling or not (columns): each type in the column of
        its kind, so the column totals are by_counselling and one suppression covers both."""
        values = figures["by_contact_type"]
        rows = _with_unknown_codes(_labels(ContactType), values)
        columns = counselling_columns()
        kind = counselling_kind()

        return ReportTable(
            key="by_contact_type",
            title=_("Contacts per contact type"),
            row_heading=_("Contact type"),
            rows=rows,
            columns=columns,
            cells=[
                [values.get(code, 0) if kind(code) == column else 0 for column, _l in columns]
                for code, _label in rows
            ],
            grand_link="contacts",
            note=_(
                "Counselling contacts are about violence or abuse; the other types (a silent "
                "call, a hang-up, …) are counted apart. Contacts registered before contact "
                "types existed count as counselling (“type not recorded”). Every other table "
                "counts all contacts."
            ),
        )

    callers = figures["callers"]
    callers_rows = [
        ("distinct", _("Distinct callers")),
        ("repeat", _("Repeat callers")),
        ("repeat_contacts", _("Contacts of repeat callers")),
        ("contacts_with_profile", _("Contacts of known callers")),
    ]
    themes, ages, genders = _labels(Theme), _labels(CallerAgeGroup), _labels(Gender)
    month = pgettext("table heading", "Month")
    outside = figures["outside_opening_hours"]
    outside_rows = [
        ("contacts", _("Contacts outside opening hours")),
        ("attempts", _("Calls and chats (attempts) outside opening hours")),
        ("likely_misdials", _("of which likely misdials")),
    ]
    return [
        two_d(
            "by_month_channel",
            _("Contacts per month and channel"),
            month,
            months,
            channels,
            row_link="month",
            column_link="channel",
        ),
        one_d("by_theme", _("Contacts per theme"), _("Theme"), themes, row_link="theme"),
        two_d(
            "by_month_theme",
            _("Contacts per month and theme"),
            month,
            months,
            themes,
            row_link="month",
            column_link="theme",
        ),
        two_d(
            "caller_age_gender",
            _("Callers by age group and gender"),
            _("Age group"),
            ages,
            genders,
            row_link="age",
            column_link="gender",
        ),
        one_d("caller_role", _("Caller role"), _("Role"), _labels(CallerRole)),
        one_d(
            "minors_by_channel",
            _("Minors who contacted the line, per channel"),
            _("Channel"),
            channels,
            grand_link="minors",
        ),
        one_d(
            "victims_by_age_group",
            _("Victims by age group"),
            _("Age group"),
            _labels(VictimAgeGroup),
            grand_link="victims",
            columns=[("", _("Victims"))],
        ),
        one_d("region", _("Region"), _("Region"), _labels(Region)),
        one_d(
            "awareness_source",
            _("How they heard of the line"),
            _("Source"),
            _labels(AwarenessSource),
        ),
        ReportTable(
            key="outside_opening_hours",
            title=_("Outside opening hours"),
            row_heading="",
            rows=outside_rows,
            columns=[("", _("Number"))],
            cells=[[outside[code]] for code, _label in outside_rows],
            row_totals=False,
            column_totals=False,
            note=outside_hours_definition(figures),
        ),
        one_d("context", _("Context"), _("Context"), _labels(ViolenceContext)),
        one_d("referral", _("Referral"), _("Referral"), _labels(Referral)),
        one_d(
            "forms_of_violence",
            _("Forms of violence"),
            _("Form"),
            _labels(ViolenceForm),
            grand_link="",
            columns=[("", _("Mentions"))],
            note=_(
                "A contact may mention several forms of violence; “Not recorded” counts the "
                "contacts without any."
            ),
        ),
        contact_types(),
        ReportTable(
            key="callers",
            title=_("Known and repeat callers"),
            row_heading="",
            rows=callers_rows,
            columns=[("", _("Number"))],
            cells=[[callers[code]] for code, _label in callers_rows],
            row_totals=False,
            column_totals=False,
            one_identity=True,
            note=callers_definition(),
        ),
        one_d("by_month", _("Contacts per month"), month, months, row_link="month"),
        one_d("by_channel", _("Contacts per channel"), _("Channel"), channels, row_link="channel"),
        one_d("caller_gender", _("Caller gender"), _("Gender"), genders, row_link="gender"),
        one_d("caller_age_group", _("Caller age group"), _("Age group"), ages, row_link="age"),
    ]


def counselling_columns() -> list[tuple[str, str]]:
    return [
        (COUNSELLING, _("Counselling")),
        (NON_COUNSELLING, _("No counselling")),
        ("", _("Not recorded")),
    ]


def callers_definition() -> str:
    return _(
        "A known caller is a caller profile (a caller recognised by a keyed hash of their "
        "number or chat handle) with at least one contact in the year; a repeat caller one "
        "with two or more. Contacts without a known caller are not in these counts. Counted "
        "from the contacts at the time of the report (not from the nightly aggregates)."
    )


def callers_summary(data: dict) -> str:
    """The repeat callers' share of the year's contacts, as published."""
    share = data["callers"].get("repeat_share")
    if share is None:
        return ""
    if share == HIDDEN:
        return _("Share of repeat callers in the year’s contacts: %(hidden)s (hidden).") % {
            "hidden": HIDDEN
        }
    return _("Repeat callers made %(share)s %% of the year’s contacts.") % {
        "share": number_format(share, 1)
    }


def outside_hours_definition(figures: dict) -> str:
    text = _(
        "A contact or attempt is outside opening hours when no opening-hours slot of its "
        "channel was in force at its local start (Europe/Brussels); a slot includes its "
        "start and excludes its end (09:00 belongs to 09:00–17:00, 17:00 does not); public "
        "holidays are closed. E-mail has no opening hours, so e-mails never are. A likely "
        "misdial is an outside-hours attempt that was not answered and waited less than "
        "%(seconds)s seconds."
    ) % {"seconds": settings.MISDIAL_SECONDS}
    if figures.get("site"):
        text += " " + _("Attempts are not tied to a site: the attempts and misdials are line-wide.")
    return text


def definitions(figures: dict) -> list[tuple[str, str]]:
    """The definitions printed with every export."""
    return [
        (_("Months"), _("Months and the year are counted in local time (Europe/Brussels).")),
        (_("Not recorded"), _("Contacts where the field was left blank: its own row.")),
        (_("Outside opening hours"), outside_hours_definition(figures)),
        (_("Known and repeat callers"), callers_definition()),
        (_("Counts only"), _("The figures are counts; no notes or case content.")),
    ]


# --- public version -------------------------------------------------------------------------


def publish(tables: list[ReportTable], threshold: int) -> list[ReportTable]:
    """Hide small counts in every table (primary and secondary suppression), consistently
    across tables: a margin hidden in one table is hidden wherever it is shown. Repeats until
    a pass over all tables hides no new margin."""
    hidden_links: set[str] = set()
    while True:
        before = len(hidden_links)
        for table in tables:
            links = table.links()
            table.hidden = suppressed_cells(
                table.cells,
                threshold=threshold,
                row_totals=table.row_totals,
                column_totals=table.column_totals,
                forced={cell for cell, link in links.items() if link in hidden_links},
            )
            if table.one_identity and len(table.hidden) == 1:
                others = sorted(
                    (value, (i, 0))
                    for i, (value,) in enumerate(table.cells)
                    if (i, 0) not in table.hidden and value != 0
                )
                if others:
                    table.hidden.add(others[0][1])
            hidden_links |= {link for cell, link in links.items() if cell in table.hidden}
        if len(hidden_links) == before:
            return tables


def published_figures(figures: dict, tables: list[ReportTable], threshold: int) -> dict:
    """The figures' dict with every hidden count replaced by HIDDEN (public JSON and CSV)."""
    result = dict(figures)
    hidden_links = set()
    for table in tables:
        published = table.published
        if table.row_totals:
            result[table.key] = {
                row: {column: published[i][j] for j, (column, _l) in enumerate(table.columns)}
                for i, (row, _l) in enumerate(table.rows)
            }
        else:
            value = {row: published[i][0] for i, (row, _l) in enumerate(table.rows)}
            if table.key == "outside_opening_hours":
                value["attempts_scope"] = figures[table.key]["attempts_scope"]
            result[table.key] = value
        if table.key == "by_contact_type":  # row totals and column totals, see contact_types
            result["by_contact_type"] = {
                row: published[i][-1] for i, (row, _l) in enumerate(table.rows)
            }
            result["by_counselling"] = {
                column: published[-1][j] for j, (column, _l) in enumerate(table.columns)
            }
        hidden_links |= {link for cell, link in table.links().items() if cell in table.hidden}
    for key, link in (("total_contacts", "contacts"), ("total_victims", "victims")):
        if link in hidden_links or 0 < figures[key] < threshold:
            result[key] = HIDDEN
    # The share is published only when both its counts are.
    if result["callers"]["repeat_contacts"] == HIDDEN or result["total_contacts"] == HIDDEN:
        result["callers"]["repeat_share"] = HIDDEN
    else:
        result["callers"]["repeat_share"] = figures["callers"]["repeat_share"]
    result["public"] = {"threshold": threshold, "hidden": HIDDEN}
    return result


# --- the report as a whole --------------------------------------------------------------------


@dataclass
class AnnualReport:
    """What every format is made from: the figures, their tables, and whether public."""

    figures: dict
    tables: list[ReportTable]
    public: bool
    threshold: int
    generated_at: datetime

    @cached_property
    def data(self) -> dict:
        """The JSON's shape: the figures, or the published figures in public mode."""
        if not self.public:
            return self.figures
        return published_figures(self.figures, self.tables, self.threshold)

    def table(self, key: str) -> ReportTable:
        return next(table for table in self.tables if table.key == key)


def annual_report(figures: dict, *, public: bool = False, now: datetime | None = None):
    threshold = settings.REPORT_SUPPRESSION_THRESHOLD
    tables = report_tables(figures)
    if public:
        publish(tables, threshold)
    report = AnnualReport(figures, tables, public, threshold, now or timezone.now())
    report.table("callers").summary = callers_summary(report.data)
    return report


def export_filename(figures: dict, fmt: str, *, public: bool) -> str:
    parts = ["meldpunt-cijfers", str(figures["year"]), figures["site"] or "alle-sites"]
    if public:
        parts.append("publiek")
    return "-".join(parts) + f".{fmt}"


# --- formats: each writes the report to a text or binary file --------------------------------


def write_json(report: AnnualReport, out) -> None:
    out.write(json.dumps(report.data, sort_keys=True, ensure_ascii=False, indent=2) + "\n")


def figures_long_rows(figures: dict):
    """(table, row, column, value) for every number: a flat table any tool reads."""
    for table, content in figures.items():
        if isinstance(content, dict):
            for row, value in content.items():
                if isinstance(value, dict):
                    for column, number in value.items():
                        yield table, row, column, number
                else:
                    yield table, row, "", value
        else:
            yield table, "", "", "" if content is None else content


def write_csv(report: AnnualReport, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value"])
    writer.writerows(figures_long_rows(report.data))


def report_title(report: AnnualReport) -> str:
    figures = report.figures
    where = figures["site"] or _("all sites")
    title = _("Annual figures %(year)s — %(site)s") % {"year": figures["year"], "site": where}
    if report.public:
        title += " " + _("(public version)")
    return title


def generated_at_local(report: AnnualReport) -> str:
    return report.generated_at.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M")


def suppression_note(report: AnnualReport) -> str:
    return _(
        "Public version: counts from 1 to %(below)s are shown as “%(hidden)s”, and so are "
        "some larger counts and totals, so that no hidden count can be worked out from the "
        "totals."
    ) % {"below": report.threshold - 1, "hidden": HIDDEN}


# Excel's limits on a sheet name: 31 characters, none of these.
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_names(report: AnnualReport) -> dict[str, str]:
    """The sheet name of each table key: its title in the report's language (a reader
    sees "Contacten per maand", not "by_month"), shortened to Excel's limit, unique."""
    names, used = {}, {str(_("Information")).lower()}
    for table in report.tables:
        base = " ".join(str(table.title).translate(SHEET_NAME_FORBIDDEN).split())
        name = base[:SHEET_NAME_MAX]
        number = 2
        while name.lower() in used:
            suffix = f" {number}"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
            number += 1
        used.add(name.lower())
        names[table.key] = name
    return names


def write_xlsx(report: AnnualReport, out) -> None:
    """One sheet per table (header row, numbers as numbers, totals row), after a first sheet
    with the title, year, site, time of generation and the definitions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    info = book.active
    info.title = str(_("Information"))
    names = sheet_names(report)
    info.append([report_title(report)])
    info["A1"].font = Font(bold=True, size=14)
    info.append([_("Year"), report.figures["year"]])
    info.append([_("Site"), report.figures["site"] or _("all sites")])
    info.append([_("Generated at"), generated_at_local(report)])
    info.append([_("Total contacts"), report.data["total_contacts"]])
    info.append([_("Total victims"), report.data["total_victims"]])
    info.append([])
    for term, text in definitions(report.figures):
        info.append([term, text])
    if report.public:
        info.append([_("Public version"), suppression_note(report)])
    info.append([])
    info.append([_("Sheet"), _("Table")])
    for table in report.tables:
        info.append([names[table.key], table.title])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 100

    for table in report.tables:
        sheet = book.create_sheet(names[table.key])
        sheet.append([_("Code"), table.row_heading or table.title, *table.header])
        codes = [code for code, _label in table.rows] + ([""] if table.column_totals else [])
        for code, (label, values, is_total) in zip(codes, table.body(), strict=True):
            sheet.append([code, label, *values])
            if is_total:
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
        if table.summary:
            sheet.append([])
            sheet.append(["", table.summary])
        for cell in sheet[1]:
            cell.font = bold
        if table.row_totals:
            for row in sheet.iter_rows(min_row=1, min_col=sheet.max_column):
                row[0].font = bold
        sheet.column_dimensions["B"].width = 36
        sheet.freeze_panes = "C2"
    book.save(out)


def chart_series(report: AnnualReport) -> dict:
    """The three charts' data (as published): months x channels, themes, age x gender."""
    by_month = report.table("by_month_channel")
    themes = report.table("by_theme")
    age_gender = report.table("caller_age_gender")

    def column(table, j):
        return [table.published[i][j] for i in range(len(table.rows))]

    return {
        "months": [label for _code, label in by_month.rows],
        "month_channels": [
            {"label": label, "data": column(by_month, j)}
            for j, (_code, label) in enumerate(by_month.columns)
        ],
        "themes": {
            "labels": [label for _code, label in themes.rows],
            "data": column(themes, 0),
        },
        "ages": [label for _code, label in age_gender.rows],
        "age_genders": [
            {"label": label, "data": column(age_gender, j)}
            for j, (_code, label) in enumerate(age_gender.columns)
        ],
    }


def write_pdf(report: AnnualReport, out) -> None:
    """The PDF (reports/services/export_pdf.py), which loads WeasyPrint only when asked."""
    from .export_pdf import write_pdf_document

    write_pdf_document(report, out)


WRITERS = {"json": write_json, "csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}
BINARY = frozenset({"xlsx", "pdf"})


def export_bytes(report: AnnualReport, fmt: str) -> bytes:
    """The report in one format, as the bytes of a file (text formats in UTF-8)."""
    if fmt in BINARY:
        buffer = io.BytesIO()
        WRITERS[fmt](report, buffer)
        return buffer.getvalue()
    text = io.StringIO()
    WRITERS[fmt](report, text)
    return text.getvalue().encode()


def format_change(current, previous) -> tuple[str, str]:
    """(difference, percentage) against the previous year; "—" when it was 0; HIDDEN when
    either count is hidden."""
    if not isinstance(current, int) or not isinstance(previous, int):
        return HIDDEN, HIDDEN
    difference = current - previous
    sign = "+" if difference > 0 else ""
    if previous == 0:
        return f"{sign}{difference}", "—"
    percentage = number_format(difference * 100 / previous, 1)
    return f"{sign}{difference}", f"{sign}{percentage} %"
