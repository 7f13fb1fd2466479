"""Write the workbook fixtures beside this file from the table in exports_monthly.csv.

    python tests/data_fixtures/make_workbooks.py

- ``exports.xlsx`` (xlsxwriter): sheet "Annual" (year as numbers, header in
  row 1) and sheet "Monthly" (a title merged over the columns in row 1, row 2
  empty, the header in row 3, months as date cells shown as "Mar-26",
  codes such as 0402 as text, amounts as numbers);
- ``exports.ods``: sheet "Monthly" laid out the same way, an OpenDocument
  spreadsheet built from its XML by hand (no library writes one here);
- ``exports.xls`` (xlwt, when installed): the same "Monthly" sheet in the
  Excel 97 format.

The CSV files hold the same tables as text, so a report read from any of them
must be the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent
TITLE = "Экспорт по областям, тыс. долларов США"


def monthly() -> list[tuple[dt.date, str, str, float]]:
    with open(HERE / "exports_monthly.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [(dt.date.fromisoformat(r["month"] + "-01"), r["region"], r["hs"], float(r["amount"]))
            for r in rows]


def annual() -> list[tuple[int, str, float]]:
    with open(HERE / "exports_annual.csv", encoding="utf-8", newline="") as stream:
        return [(int(r["year"]), r["region"], float(r["amount"])) for r in csv.DictReader(stream)]


def write_xlsx(path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    month = book.add_format({"num_format": "mmm-yy"})
    sheet = book.add_worksheet("Annual")
    sheet.write_row(0, 0, ["year", "region", "amount"], bold)
    for index, (year, region, amount) in enumerate(annual(), start=1):
        sheet.write_number(index, 0, float(year))  # Excel holds every number as a double: 2026.0
        sheet.write_string(index, 1, region)
        sheet.write_number(index, 2, amount)
    sheet = book.add_worksheet("Monthly")
    sheet.merge_range(0, 0, 0, 3, TITLE, bold)
    sheet.write_row(2, 0, ["month", "region", "hs", "amount"], bold)
    for index, (first, region, code, amount) in enumerate(monthly(), start=3):
        sheet.write_datetime(index, 0, dt.datetime.combine(first, dt.time()), month)
        sheet.write_string(index, 1, region)
        sheet.write_string(index, 2, code)
        sheet.write_number(index, 3, amount)
    book.close()


def _cell(value: object) -> str:
    if isinstance(value, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
    if isinstance(value, float):
        return (f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                f"<text:p>{value!r}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def _row(cells: list[object]) -> str:
    return "<table:table-row>" + "".join(map(_cell, cells)) + "</table:table-row>"


def write_ods(path: Path) -> None:
    rows = [
        '<table:table-row><table:table-cell office:value-type="string" table:number-columns-spanned="4">'
        f"<text:p>{escape(TITLE)}</text:p></table:table-cell>"
        '<table:covered-table-cell table:number-columns-repeated="3"/></table:table-row>',
        '<table:table-row><table:table-cell table:number-columns-repeated="4"/></table:table-row>',
        _row(["month", "region", "hs", "amount"]),
        *(_row([first, region, code, amount]) for first, region, code, amount in monthly()),
    ]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Monthly">'
        '<table:table-column table:number-columns-repeated="4"/>'
        + "".join(rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        # The media type comes first and uncompressed, as OpenDocument requires.
        archive.writestr(zipfile.ZipInfo("mimetype", (1980, 1, 1, 0, 0, 0)),
                         "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        for name, text in (("META-INF/manifest.xml", manifest), ("content.xml", content)):
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)


def write_xls(path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Monthly")
    month = xlwt.easyxf(num_format_str="mmm-yy")
    sheet.write_merge(0, 0, 0, 3, TITLE)
    for column, title in enumerate(["month", "region", "hs", "amount"]):
        sheet.write(2, column, title)
    for index, (first, region, code, amount) in enumerate(monthly(), start=3):
        sheet.write(index, 0, dt.datetime.combine(first, dt.time()), month)
        sheet.write(index, 1, region)
        sheet.write(index, 2, code)
        sheet.write(index, 3, amount)
    book.save(str(path))


def main() -> None:
    write_xlsx(HERE / "exports.xlsx")
    write_ods(HERE / "exports.ods")
    try:
        write_xls(HERE / "exports.xls")
    except ImportError:
        print("xlwt is not installed: exports.xls is left as it is")


if __name__ == "__main__":
    main()
