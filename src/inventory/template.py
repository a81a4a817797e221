"""Blank activity workbooks (DESIGN 3.3, `inventory template`): one per sector, ready to fill in by hand.

Each workbook has one sheet per activity group with the v1 headers (data/headers.csv),
a `参数` sheet for local parameters, an instructions sheet and a hidden `_lists` sheet
holding the drop-down sources. The energy workbook also has the facility sheet (DESIGN 3.3
"Facility rows": plant-level reported emissions, with the plant's activity amount for IPCC
Tier 3), its columns explained at the end of the instructions. Lists are referenced by range, not written inline, so
Excel's 255-character limit on inline lists does not apply. Data sheets hold no rows:
an untouched template builds to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from inventory import categories, regions, resources, vocabulary
from inventory.errors import Problem, UsageError
from inventory.read.facility import FACILITY_FIELDS, FACILITY_REQUIRED
from inventory.read.workbook import FIELDS, LISTS_SHEET, REQUIRED

LANGUAGES = ("zh", "en")
YEAR_MIN, YEAR_MAX = 1990, 2100
# Rows covered by the validations and formats of a data sheet (row 1 is the header).
LAST_ROW = 10000
# Year shown in the instruction examples when the caller names none.
EXAMPLE_YEAR = 2024
WIDTHS = {"region": 16, "year": 8, "category": 14, "activity": 18, "technology": 24, "value": 14, "unit": 12,
          "parameter": 20, "source": 28, "notes": 28}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Group:
    """An activity group: one data sheet of a sector's workbook.

    roots: categories whose subtrees the sheet's category list holds.
    activity_classes: classes (activities.csv `activity_class`) of the activity list; a group whose
    classes have no activities yet gets a free-text activity column.
    example: category, activity id or name, technology, value, unit of the instruction example.
    """

    sector: str
    key: str
    roots: tuple[str, ...]
    activity_classes: tuple[str, ...]
    example: tuple[str, str, str, float, str]


# Example values are city-sized orders of magnitude, not data (issue 18): a prefecture of some 4 million
# people and 10 000 km2 (1 000 千公顷 in all, so its forest is below that), GDP of a few thousand 亿元,
# household waste of about 0.4 kg per person and day (4e6 × 0.4 kg × 365 ≈ 58 万吨). The instructions say
# so, and each example row is marked 示例 in its notes cell, so a copied one is skipped (DESIGN 3.3).
GROUPS = (
    Group("energy", "combustion", ("1.A", "M.EL.import", "M.EL.use", "M.HEAT"), ("fuel", "secondary_energy"),
          ("1.A.1.a", "raw_coal", "pc_boiler+scr", 100, "万吨")),
    Group("energy", "fugitive", ("1.B",), ("fuel",), ("1.B.1.a", "raw_coal", "", 50, "万吨")),
    Group("energy", "statistics", ("stat",), ("statistic",), ("stat", "gdp", "", 3000, "亿元")),
    Group("industry", "industry", ("2",), ("product",), ("2.A.1", "clinker", "", 200, "万吨")),
    Group("agriculture", "livestock", ("3.A",), ("animal",), ("3.A.1", "dairy_cattle", "", 0.5, "万头")),
    Group("agriculture", "cropland", ("3.C",), ("rice", "fertiliser", "crop"),
          ("3.C.7", "rice_early", "", 40, "千公顷")),
    Group("land_use", "land_use", ("3.B",), ("land",), ("3.B.1", "forest_land", "", 500, "千公顷")),
    Group("waste", "waste", ("4",), ("waste",), ("4.A", "msw", "", 58, "万吨")),
    Group("other_pollutant", "other_pollutant", ("P",), ("dust",), ("P.2.A.5.b", "construction_area", "", 300, "公顷")),
)
# The 参数 sheet's example: energy shows a sulfur content; other sectors an activity uncertainty
# on their first group's example.
SULFUR_EXAMPLE = (("1.A.1.a", "raw_coal", "", 1.2, "%"), "sulfur_content")
UNCERTAINTY_EXAMPLE = ("uncertainty.activity", 5, "%")
# The facility sheet (energy workbook): the category roots and activity classes of its drop-downs, the
# quantities its activity units are given in (as read.facility accepts them), and the instruction example
# (a plant of the example prefecture: an order of magnitude, not data; marked 示例, so a copied one is skipped).
FACILITY_ROOTS = ("1.A", "1.B", "2")
FACILITY_CLASSES = ("fuel", "secondary_energy", "product")
FACILITY_QUANTITIES = ("mass", "volume", "energy")
FACILITY_EXAMPLE = {"facility": "某某发电有限公司", "category": "1.A.1.a", "activity": "raw_coal", "substance": "SO2",
                    "emission": 300, "unit": "吨", "coverage": "partial", "value": 150, "activity_unit": "万吨",
                    "confidential": "no"}


def labels(lang: str) -> dict[str, str]:
    """UI strings of data/labels.csv in `lang`."""
    table = resources.data_table("labels.csv")
    return dict(zip(table["key"], table[lang]))


def headers(lang: str) -> dict[str, str]:
    """The v1 header of each column in `lang` (as read/workbook.py accepts it)."""
    table = resources.data_table("headers.csv")
    return dict(zip(table["column"], table[f"name_{lang}"]))


def template_units(sheet: str | None = None) -> list[str]:
    """Units offered in a unit drop-down (data/template_units.csv): those of the data sheets
    (`activity`) or of the 参数 sheet (`parameter`), or all of them."""
    table = resources.data_table("template_units.csv")
    return list(table["unit"] if sheet is None else table.loc[table["sheet"] == sheet, "unit"])


def sector_workbooks() -> list[str]:
    """Sectors of data/sectors.csv that have categories, in report order."""
    sectors = categories.sectors().sort_values("order", key=lambda s: s.astype(int))
    used = set(categories.table()["sector"])
    return [s for s in sectors["sector"] if s in used]


def group_categories(group: Group) -> list[str]:
    """Category codes under the group's roots, in file order."""
    t = categories.table()
    return [c for c in t["code"] if any(r in categories.ancestors(c) for r in group.roots)]


def sector_categories(sector: str, groups: list[Group]) -> list[str]:
    """Every category code of the sector, plus those of its groups from outside it (`stat`)."""
    t = categories.table()
    extra = {c for g in groups for c in group_categories(g)}
    return [c for c in t["code"] if t.at[c, "sector"] == sector or c in extra]


def category_entries(codes: list[str], lang: str) -> list[str]:
    """The category drop-down: `code name` in `lang` (`1.A.1.a 电力和热力生产`), a form the reader accepts, so
    a user picks by name and the code travels with it."""
    return [categories.labelled(c, lang) for c in codes]


def activity_names(activity_classes: tuple[str, ...], lang: str) -> list[str]:
    """Names in `lang` of the activities of these classes."""
    t = vocabulary.activities()
    return list(t.loc[t["activity_class"].isin(activity_classes), f"name_{lang}"])


def region_entries(codes: list[str] | None, lang: str) -> list[object]:
    """The region drop-down: names, then codes (numbers where the code is numeric, as typed in Excel)."""
    t = regions.table()
    chosen = list(t["code"]) if codes is None else codes
    names = [t.at[c, f"name_{lang}"] for c in chosen]
    return names + [int(c) if c.isdigit() else c for c in chosen]


def parameter_entries(lang: str) -> list[str]:
    """Parameter names for the drop-down, prefixed ones spelled out per substance (`排放因子.SO2`)."""
    col = "name_zh" if lang == "zh" else "name"
    out = []
    for name, row in vocabulary.parameters().iterrows():
        if name in vocabulary.prefixed_parameters():
            out += [f"{row[col]}.{s}" for s in vocabulary.substances()["id"]]
        else:
            out.append(row[col])
    return out


def _first_prefecture() -> str:
    t = regions.table()
    return t.index[t["level"] == "prefecture"][0]


def _activity_label(activity: str, lang: str) -> str:
    t = vocabulary.activities()
    return t.at[activity, f"name_{lang}"] if activity in t.index else activity


def _parameter_label(name: str, lang: str) -> str:
    return vocabulary.parameters().at[name, "name_zh"] if lang == "zh" else name


class _Lists:
    """The hidden `_lists` sheet: one column per drop-down source, referenced by absolute range."""

    def __init__(self, ws: Worksheet, note: str):
        self.ws = ws
        ws.sheet_state = "hidden"
        ws["A1"] = note  # row 1 is a note, so the reader never takes this sheet for a data sheet
        self.columns: dict[tuple, str] = {}

    def range(self, key: tuple, title: str, values: list) -> str | None:
        """Formula of the list `values` (written once per key); None for an empty list."""
        if not values:
            return None
        if key not in self.columns:
            col = get_column_letter(len(self.columns) + 1)
            self.ws[f"{col}2"] = title
            for i, v in enumerate(values, start=3):
                self.ws[f"{col}{i}"] = v
            self.ws.column_dimensions[col].width = 22
            self.columns[key] = f"{quote_sheetname(LISTS_SHEET)}!${col}$3:${col}${len(values) + 2}"
        return self.columns[key]


def _list_validation(formula: str, prompt: str, lab: dict[str, str]) -> DataValidation:
    """A drop-down from a range; other entries get a warning, not a refusal (names and aliases are valid)."""
    return DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                          showErrorMessage=True, errorStyle="warning", error=lab["tpl_error_list"],
                          showInputMessage=True, prompt=prompt[:255])


def _write_data_sheet(ws: Worksheet, lists: _Lists, lab: dict[str, str], head: dict[str, str],
                      lists_of: dict[str, tuple[tuple, str, list]], fields: list[str] = FIELDS,
                      prompts: dict[str, str] | None = None, numbers: tuple[str, ...] = ("value",)) -> None:
    """Header row, widths, frozen header and the validations of one data sheet (no data rows): a drop-down
    per `lists_of` column, the year a whole number, the `numbers` columns non-negative. prompts: the input
    message of a column where it differs from its `tpl_col_<column>` label."""
    prompt = {f: lab[f"tpl_col_{f}"] for f in fields} | (prompts or {})
    ws.append([head[f] for f in fields])
    for i, field in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(field, 14)
    ws.freeze_panes = "A2"
    col = {f: get_column_letter(i) for i, f in enumerate(fields, start=1)}
    for field, (key, title, values) in lists_of.items():
        formula = lists.range(key, title, values)
        if formula:
            dv = _list_validation(formula, prompt[field], lab)
            dv.add(f"{col[field]}2:{col[field]}{LAST_ROW}")
            ws.add_data_validation(dv)
    year = DataValidation(type="whole", operator="between", formula1=str(YEAR_MIN), formula2=str(YEAR_MAX),
                          allow_blank=True, showErrorMessage=True, errorStyle="stop", error=lab["tpl_error_year"],
                          showInputMessage=True, prompt=prompt["year"][:255])
    year.add(f"{col['year']}2:{col['year']}{LAST_ROW}")
    ws.add_data_validation(year)
    for field in numbers:
        value = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                               showErrorMessage=True, errorStyle="warning", error=lab["tpl_error_value"],
                               showInputMessage=True, prompt=prompt[field][:255])
        value.add(f"{col[field]}2:{col[field]}{LAST_ROW}")
        ws.add_data_validation(value)


def _yes_no(name: str):
    """A facility vocabulary (data/facility_coverage.csv, facility_confidential.csv) indexed by id."""
    return resources.data_table(name).set_index("id", drop=False)


def facility_prompts(lab: dict[str, str]) -> dict[str, str]:
    """The facility sheet's column explanations (labels `tpl_fac_col_<column>`, else `tpl_col_<column>`)."""
    return {f: lab.get(f"tpl_fac_col_{f}") or lab[f"tpl_col_{f}"] for f in FACILITY_FIELDS}


def _write_facility_sheet(ws: Worksheet, lists: _Lists, lab: dict[str, str], head: dict[str, str],
                          region_list: list, lang: str) -> None:
    """The facility sheet (DESIGN 3.3 "Facility rows"): its headers in `lang` and drop-downs for region,
    category, activity, substance, the emission's mass unit, the activity unit, coverage and confidential."""
    names = "name_zh" if lang == "zh" else "name_en"
    plants = Group("energy", "facility", FACILITY_ROOTS, FACILITY_CLASSES, ("", "", "", 0, ""))
    table = resources.data_table("template_units.csv")
    activity_units = list(table.loc[table["quantity"].isin(FACILITY_QUANTITIES), "unit"])
    title = ws.title
    _write_data_sheet(ws, lists, lab, head, {
        "region": (("region",), head["region"], region_list),
        "category": (("category", "facility"), f"{head['category']} · {title}",
                     category_entries(group_categories(plants), lang)),
        "activity": (("activity", "facility"), f"{head['activity']} · {title}",
                     activity_names(FACILITY_CLASSES, lang)),
        "substance": (("substance",), head["substance"], list(vocabulary.substances()[names])),
        "unit": (("unit", "mass"), f"{head['unit']} · {title}", list(table.loc[table["quantity"] == "mass", "unit"])),
        "activity_unit": (("unit", "facility_activity"), head["activity_unit"], activity_units),
        "coverage": (("coverage",), head["coverage"], list(_yes_no("facility_coverage.csv")[names])),
        "confidential": (("confidential",), head["confidential"], list(_yes_no("facility_confidential.csv")[names])),
    }, FACILITY_FIELDS, facility_prompts(lab), ("emission", "value"))


def _write_facility_instructions(ws: Worksheet, lab: dict[str, str], head: dict[str, str], sheet: str,
                                 region: str, year: int, lang: str) -> None:
    """The facility sheet's columns, one line each, and one example row (marked 示例), at the end of the
    instructions (far below the rows a reader searches for a header)."""
    names = "name_zh" if lang == "zh" else "name_en"
    ws.append([])
    ws.append([lab["tpl_facility_title"].format(sheet=sheet)])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([lab["tpl_facility_intro"]])
    ws.append([lab["tpl_column"], lab["tpl_header"], lab["tpl_required"], lab["tpl_meaning"]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    prompts = facility_prompts(lab)
    for i, field in enumerate(FACILITY_FIELDS, start=1):
        ws.append([get_column_letter(i), head[field], lab["tpl_yes" if field in FACILITY_REQUIRED else "tpl_no"],
                   prompts[field]])
    ex = FACILITY_EXAMPLE
    values = {**ex, "region": region, "year": year, "category": categories.labelled(ex["category"], lang),
              "activity": _activity_label(ex["activity"], lang),
              "coverage": _yes_no("facility_coverage.csv").at[ex["coverage"], names],
              "confidential": _yes_no("facility_confidential.csv").at[ex["confidential"], names],
              "source": "", "notes": lab["tpl_example_marker"]}
    ws.append([lab["tpl_sheet"], *[head[f] for f in FACILITY_FIELDS]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    ws.append([sheet, *[values[f] for f in FACILITY_FIELDS]])


def _write_instructions(ws: Worksheet, lab: dict[str, str], head: dict[str, str],
                        examples: list[tuple[str, list]], lang: str = "zh") -> None:
    """Title, one line per column, one example row per data sheet (below row 1, so never read as data),
    then one example of each form the reader accepts or rejects."""
    ws["A1"] = lab["tpl_instructions"]
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = lab["tpl_intro"]
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:E2")
    ws.row_dimensions[2].height = 60
    ws.append([])
    ws.append([lab["tpl_column"], lab["tpl_header"], lab["tpl_required"], lab["tpl_meaning"]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for i, field in enumerate(FIELDS, start=1):
        ws.append([get_column_letter(i), head[field], lab["tpl_yes" if field in REQUIRED else "tpl_no"],
                   lab[f"tpl_col_{field}"]])
    ws.append([])
    ws.append([lab["tpl_examples"]])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([lab["tpl_sheet"], *[head[f] for f in FIELDS]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for sheet, row in examples:
        ws.append([sheet, *row])
    _write_forms(ws, lab, lang)
    for letter, width in zip("ABCDEFGHIJK", (18, 16, 10, 70, 14, 20, 10, 10, 14, 28, 16)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def _write_forms(ws: Worksheet, lab: dict[str, str], lang: str) -> None:
    """The forms the reader accepts or rejects (data/template_forms.csv), one example each (DESIGN 3.3)."""
    ws.append([])
    ws.append([lab["tpl_forms"]])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.append([lab["tpl_form_form"], lab["tpl_form_example"], lab["tpl_form_reading"]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in resources.data_table("template_forms.csv").itertuples(index=False):
        ws.append([getattr(row, f"form_{lang}"), row.example, getattr(row, f"reading_{lang}")])
        ws.cell(row=ws.max_row, column=2).data_type = "s"  # `—` and `<0.5` stay text, never a formula


def _example_row(group_example: tuple, region: str, year: int, lang: str, parameter: str = "") -> list:
    category, activity, technology, value, unit = group_example
    shown = categories.labelled(category, lang) if category in categories.table().index else category
    values = {"region": region, "year": year, "category": shown, "activity": _activity_label(activity, lang),
              "technology": technology, "value": value, "unit": unit,
              "parameter": _parameter_label(parameter, lang) if parameter else "", "source": "",
              "notes": labels(lang)["tpl_example_marker"]}
    return [values[f] for f in FIELDS]


def write_workbook(sector: str, path: Path, lang: str = "zh", regions_: list[str] | None = None,
                   years: list[int] | None = None) -> Path:
    """The template workbook of one sector."""
    lab, head = labels(lang), headers(lang)
    groups = [g for g in GROUPS if g.sector == sector] or [Group(sector, sector, (), (), ("", "", "", 0, ""))]
    region_list = region_entries(regions_, lang)
    example_region = regions.name(regions_[0] if regions_ else _first_prefecture(), lang)
    example_year = years[0] if years else EXAMPLE_YEAR
    technologies = list(vocabulary.technologies()["id"])

    wb = Workbook()
    wb.remove(wb.active)
    data_sheets = []
    for g in groups:
        title = lab.get(f"tpl_sheet_{g.key}") or categories.sectors().at[sector, f"name_{lang}"]
        data_sheets.append((g, wb.create_sheet(title[:31])))
    params_ws = wb.create_sheet(lab["tpl_sheet_parameters"])
    info_ws = wb.create_sheet(lab["tpl_instructions"])
    lists = _Lists(wb.create_sheet(LISTS_SHEET), lab["tpl_lists_note"])

    common = {
        "region": (("region",), head["region"], region_list),
        "technology": (("technology",), head["technology"], technologies),
    }
    activity_units = template_units("activity")
    for g, ws in data_sheets:
        title = ws.title
        _write_data_sheet(ws, lists, lab, head, {
            **common,
            "category": (("category", g.key), f"{head['category']} · {title}",
                         category_entries(group_categories(g), lang)),
            "activity": (("activity", g.key), f"{head['activity']} · {title}",
                         activity_names(g.activity_classes, lang)),
            "unit": (("unit", "activity"), head["unit"], activity_units),
        })
    all_classes = tuple(c for g in groups for c in g.activity_classes)
    _write_data_sheet(params_ws, lists, lab, head, {
        **common,
        "category": (("category", "*"), f"{head['category']} · {params_ws.title}",
                     category_entries(sector_categories(sector, groups), lang)),
        "activity": (("activity", "*"), f"{head['activity']} · {params_ws.title}", activity_names(all_classes, lang)),
        "unit": (("unit", "parameter"), f"{head['unit']} · {params_ws.title}", template_units("parameter")),
        "parameter": (("parameter",), head["parameter"], parameter_entries(lang)),
    })

    examples = [(ws.title, _example_row(g.example, example_region, example_year, lang)) for g, ws in data_sheets]
    if sector == "energy":
        example, parameter = SULFUR_EXAMPLE
    else:
        parameter, value, unit = UNCERTAINTY_EXAMPLE
        example = (*groups[0].example[:3], value, unit)
    examples.append((params_ws.title, _example_row(example, example_region, example_year, lang, parameter)))
    _write_instructions(info_ws, lab, head, examples, lang)
    if sector == "energy":
        facility_ws = wb.create_sheet(lab["tpl_sheet_facility"], index=len(data_sheets) + 1)
        _write_facility_sheet(facility_ws, lists, lab, head, region_list, lang)
        _write_facility_instructions(info_ws, lab, head, facility_ws.title, example_region, example_year, lang)

    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def workbook_name(sector: str) -> str:
    """File name of a sector's template: `1_energy.xlsx`, in report order."""
    return f"{int(categories.sectors().at[sector, 'order'])}_{sector}.xlsx"


def write_templates(out_dir: Path, lang: str = "zh", regions: list[str] | None = None,
                    years: list[int] | None = None) -> list[Path]:
    """One template workbook per sector into `out_dir`; returns their paths.

    regions: GB/T 2260 codes that the region drop-down offers (None = every region of
    the region list). years: the first one is used in the instruction examples.
    Refuses to overwrite existing workbooks (they may hold filled-in data).
    """
    if lang not in LANGUAGES:
        raise UsageError(Problem("unknown_language", value=lang, expected="expect_one_of",
                                 params=(("names", ", ".join(LANGUAGES)),)))
    targets = [Path(out_dir) / workbook_name(s) for s in sector_workbooks()]
    existing = [p for p in targets if p.exists()]
    if existing:
        raise UsageError([Problem("workbook_exists", file=str(p), expected="expect_folder_without_templates")
                          for p in existing])
    return [write_workbook(s, path, lang, regions, years) for s, path in zip(sector_workbooks(), targets)]

