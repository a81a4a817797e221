"""The Excel workbook (DESIGN 3.7): summary, sector sheets, pollutants, regions, detail, QA, metadata.

The summary frames built here (`sector_gas_summary`, `pollutant_summary`,
`sector_tree`, `region_comparison`, `ledger_counts`) are shared with the HTML
report, so both renderers show the same numbers. Every label from the inputs is
written as a text cell, never as a formula.
"""

from __future__ import annotations

import json
import pathlib
import re
import zipfile
from collections.abc import Iterable

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from inventory.resources import data_table
from inventory.result import CHECK_COLUMNS, EMISSION_COLUMNS, BuildResult

EXCEL_MAX_DATA_ROWS = 1_048_575
REGION_KEYS = ["region", "region_name", "year"]
LEDGER_COLUMNS = ["file", "sheet", "row", "status", "reason", "column", "value", "expected"]
NE_COLUMNS = ["region", "year", "category", "category_name", "activity", "substance", "reason"]
WARNING_COLUMNS = ["file", "sheet", "row", "column", "value", "message"]
FMT_T = "#,##0.00"
FMT_PCT = "0.00"
FMT_GENERAL = "General"
BOLD = Font(bold=True)
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


# ---------------------------------------------------------------- vocabulary

def labels(lang: str) -> dict[str, str]:
    """UI strings of `data/labels.csv` in language `lang` (zh or en), keyed by label key."""
    table = data_table("labels.csv")
    column = "en" if lang == "en" else "zh"
    return dict(zip(table["key"], table[column]))


def vocab_names(name: str, key: str, lang: str) -> dict[str, str]:
    """Id -> name in `lang` from vocabulary `name` (e.g. sectors.csv keyed by `sector`)."""
    table = data_table(name)
    return dict(zip(table[key], table["name_en" if lang == "en" else "name_zh"]))


def vocab_order(name: str, key: str) -> dict[str, int]:
    """Id -> position of a vocabulary row: its `order` column if present, else its row number."""
    table = data_table(name)
    order = table["order"].astype(int) if "order" in table else range(len(table))
    return dict(zip(table[key], order))


def ordered_substances(ids: Iterable[str]) -> list[str]:
    """Substance ids sorted in the order of substances.csv (unknown ones last, by name)."""
    order = vocab_order("substances.csv", "id")
    return sorted(set(ids), key=lambda s: (order.get(s, 10_000), s))


def ordered_sectors(ids: Iterable[str]) -> list[str]:
    """Sector ids sorted in the order of sectors.csv (unknown ones last, by name)."""
    order = vocab_order("sectors.csv", "sector")
    return sorted(set(ids), key=lambda s: (order.get(s, 10_000), s))


# ---------------------------------------------------------------- summary frames

def _wide(df: pd.DataFrame, index: list[str], value: str) -> pd.DataFrame:
    """Sum of column `value` by `index` x substance, substances as columns (t or t CO2e)."""
    wide = df.groupby([*index, "substance"], dropna=False)[value].sum(min_count=1).unstack("substance")
    return wide.reset_index()


def _ghg_block(df: pd.DataFrame, row_type: str, item: pd.Series | str, by_sector: bool) -> pd.DataFrame:
    """CO2e (t) by region-year (and sector when `by_sector`), gases as columns, tagged with `row_type`."""
    index = REGION_KEYS + (["sector"] if by_sector else [])
    if df.empty:
        return pd.DataFrame(columns=[*index, "row_type", "item"])
    block = _wide(df, index, "co2e_t")
    block["row_type"] = row_type
    block["item"] = block["sector"].map(item) if by_sector else item
    return block


def sector_gas_summary(emissions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """CO2e in t by region-year x sector x gas, with gross total, sinks, net total and memo rows.

    Columns: region, region_name, year, row_type (sector, gross, sink, net, memo),
    sector, item (display label), one column per gas present, total. The gross total
    holds kind == emission only: memo items and sinks are rows of their own.
    """
    lbl = labels(lang)
    ghg = emissions[emissions["substance_kind"] == "ghg"]
    own = ghg[ghg["kind"] == "emission"]
    sinks = ghg[ghg["kind"] == "sink"]
    sector_names = vocab_names("sectors.csv", "sector", lang)
    blocks = [
        _ghg_block(own, "sector", sector_names, by_sector=True),
        _ghg_block(own, "gross", lbl["row_gross_total"], by_sector=False),
        _ghg_block(sinks, "sink", lbl["row_sinks"], by_sector=False),
        _ghg_block(pd.concat([own, sinks]), "net", lbl["row_net_total"], by_sector=False)
        if not sinks.empty else None,
        _ghg_block(ghg[ghg["kind"] == "memo"], "memo", lbl["row_memo"], by_sector=False),
    ]
    table = pd.concat([b for b in blocks if b is not None and not b.empty], ignore_index=True)
    gases = ordered_substances(ghg["substance"].unique())
    table = table.reindex(columns=[*REGION_KEYS, "row_type", "sector", "item", *gases])
    table["total"] = table[gases].sum(axis=1, min_count=1)
    rank = {"sector": 0, "gross": 1, "sink": 2, "net": 3, "memo": 4}
    sector_rank = vocab_order("sectors.csv", "sector")
    table["_r"] = table["row_type"].map(rank)
    table["_s"] = table["sector"].map(sector_rank).fillna(0)
    return table.sort_values(["region", "year", "_r", "_s"]).drop(columns=["_r", "_s"]).reset_index(drop=True)


def pollutant_summary(emissions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Air pollutant emissions in t by region-year x sector (pollutants as columns), plus a total row.

    Columns: region, region_name, year, row_type (sector, total), sector, item, one
    column per pollutant. Memo rows (international bunkers) are left out.
    """
    pol = emissions[(emissions["substance_kind"] == "pollutant") & (emissions["kind"] == "emission")]
    names = vocab_names("sectors.csv", "sector", lang)
    pollutants = ordered_substances(pol["substance"].unique())
    if pol.empty:
        return pd.DataFrame(columns=[*REGION_KEYS, "row_type", "sector", "item"])
    by_sector = _wide(pol, REGION_KEYS + ["sector"], "emission").assign(row_type="sector")
    by_sector["item"] = by_sector["sector"].map(names).fillna(by_sector["sector"])
    total = _wide(pol, REGION_KEYS, "emission").assign(row_type="total", item=labels(lang)["col_total"])
    table = pd.concat([by_sector, total], ignore_index=True)
    table = table.reindex(columns=[*REGION_KEYS, "row_type", "sector", "item", *pollutants])
    table["_r"] = (table["row_type"] == "total").astype(int)
    table["_s"] = table["sector"].map(vocab_order("sectors.csv", "sector")).fillna(0)
    return table.sort_values(["region", "year", "_r", "_s"]).drop(columns=["_r", "_s"]).reset_index(drop=True)


def category_nodes(sector: str) -> pd.DataFrame:
    """Categories of `sector` with their ancestors inside the same sector and their depth (0 = top)."""
    cats = data_table("categories.csv")
    parent = dict(zip(cats["code"], cats["parent"]))
    in_sector = set(cats.loc[cats["sector"] == sector, "code"])

    def chain(code: str) -> list[str]:
        """The code and its ancestors that belong to `sector`, nearest first."""
        out = []
        while code and code not in out:
            if code in in_sector:
                out.append(code)
            code = parent.get(code, "")
        return out

    nodes = cats[cats["sector"] == sector].copy()
    nodes["chain"] = nodes["code"].map(chain)
    nodes["depth"] = nodes["chain"].map(len) - 1
    nodes["order"] = nodes.index
    return nodes


def sector_tree(emissions: pd.DataFrame, sector: str, lang: str = "zh") -> pd.DataFrame:
    """Emissions of one sector in the guideline's layout: each category with its descendants' sum.

    Columns: region, region_name, year, category, name, depth, memo, then one column
    per gas (t), co2e_t (t CO2e), one column per pollutant (t). Memo rows count only
    at their own category, never in a parent's sum; sinks count (negative).
    """
    rows = emissions[emissions["sector"] == sector]
    nodes = category_nodes(sector)
    chains = dict(zip(nodes["code"], nodes["chain"]))
    unique = pd.Series(rows["category"].unique())
    chain_of = dict(zip(unique, unique.map(lambda c: chains.get(c) or [c])))
    node = rows["category"].map(chain_of).where(rows["kind"] != "memo", rows["category"].map(lambda c: [c]))
    exploded = rows.assign(node=node).explode("node")
    wide = _wide(exploded, REGION_KEYS + ["node"], "emission")
    co2e = exploded.groupby(REGION_KEYS + ["node"])["co2e_t"].sum(min_count=1).rename("co2e_t").reset_index()
    table = wide.merge(co2e, on=REGION_KEYS + ["node"], how="left").rename(columns={"node": "category"})
    info = nodes.set_index("code")
    name_col = "name_en" if lang == "en" else "name_zh"
    fallback = rows.drop_duplicates("category").set_index("category")["category_name"]
    table["name"] = table["category"].map(info[name_col]).fillna(table["category"].map(fallback))
    table["depth"] = table["category"].map(info["depth"]).fillna(0).astype(int)
    table["memo"] = table["category"].map(info["kind"]).eq("memo")
    table.loc[table["memo"], "name"] += labels(lang)["memo_suffix"]
    table["_o"] = table["category"].map(info["order"]).fillna(len(info))
    subs = ordered_substances(rows["substance"].unique())
    kinds = rows.drop_duplicates("substance").set_index("substance")["substance_kind"]
    gases = [s for s in subs if kinds.get(s) == "ghg"]
    pollutants = [s for s in subs if kinds.get(s) != "ghg"]
    table = table.sort_values(["region", "year", "_o", "category"])
    columns = [*REGION_KEYS, "category", "name", "depth", "memo", *gases, "co2e_t", *pollutants]
    return table.reindex(columns=columns).reset_index(drop=True)


def _region_values(emissions: pd.DataFrame) -> pd.DataFrame:
    """Gross emission in t by region, year, basis and substance, with CO2e (t) as substance 'CO2e'."""
    rows = emissions[emissions["kind"] == "emission"]
    keys = ["region", "year", "basis"]
    by_sub = rows.groupby([*keys, "substance"])["emission"].sum().reset_index(name="value")
    ghg = rows[rows["substance_kind"] == "ghg"]
    co2e = ghg.groupby(keys)["co2e_t"].sum().reset_index(name="value").assign(substance="CO2e")
    return pd.concat([by_sub, co2e], ignore_index=True)


def region_comparison(emissions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Each prefecture beside the province: gross emission in t per substance (CO2e in t CO2e).

    Rows per province and year: one per prefecture, then the prefectures' sum, the
    province's own-basis rows, the province total (own + aggregated), their
    difference (province total - prefecture sum, t) and that difference in % of the sum.
    Columns: province, year, row_type, region, region_name, substances..., CO2e.
    """
    lbl = labels(lang)
    regions = data_table("regions.csv")
    parent = dict(zip(regions["code"], regions["parent"]))
    level = dict(zip(regions["code"], regions["level"]))
    names = vocab_names("regions.csv", "code", lang) | dict(zip(emissions["region"], emissions["region_name"]))
    values = _region_values(emissions)
    values["province"] = values["region"].map(lambda r: r if level.get(r) == "province" else parent.get(r, ""))
    values = values[values["province"].map(level).eq("province")]
    if values.empty:
        return pd.DataFrame(columns=["province", "year", "row_type", "region", "region_name"])
    is_prov = values["region"] == values["province"]
    keys = ["province", "year"]
    pref = values[~is_prov].groupby([*keys, "region", "substance"])["value"].sum().unstack("substance")
    pref = pref.reset_index().assign(row_type="prefecture")
    pref["region_name"] = pref["region"].map(names)
    parts = [
        pref,
        _pivot_sum(values[~is_prov], keys, "prefecture_sum", lbl["row_prefecture_sum"]),
        _pivot_sum(values[is_prov & (values["basis"] == "own")], keys, "province_own", lbl["row_province_own"]),
        _pivot_sum(values[is_prov], keys, "province_total", lbl["row_province_total"]),
    ]
    table = pd.concat(parts, ignore_index=True)
    subs = ordered_substances(set(values["substance"]) - {"CO2e"}) + ["CO2e"]
    table = table.reindex(columns=[*keys, "row_type", "region", "region_name", *subs])
    table = pd.concat([table, _differences(table, keys, subs, lbl)], ignore_index=True)
    rank = {"prefecture": 0, "prefecture_sum": 1, "province_own": 2, "province_total": 3,
            "difference": 4, "difference_pct": 5}
    table["_r"] = table["row_type"].map(rank)
    table["region"] = table["region"].fillna("")
    return table.sort_values([*keys, "_r", "region"]).drop(columns="_r").reset_index(drop=True)


def _pivot_sum(values: pd.DataFrame, keys: list[str], row_type: str, label: str) -> pd.DataFrame:
    """Sum of `value` (t) by keys x substance as one labelled row per key."""
    wide = values.groupby([*keys, "substance"])["value"].sum().unstack("substance").reset_index()
    return wide.assign(row_type=row_type, region="", region_name=label)


def _differences(table: pd.DataFrame, keys: list[str], subs: list[str], lbl: dict) -> pd.DataFrame:
    """Province total minus prefecture sum (t) and that difference in % of the sum."""
    total = table[table["row_type"] == "province_total"].set_index(keys)[subs]
    summed = table[table["row_type"] == "prefecture_sum"].set_index(keys)[subs]
    both = total.index.intersection(summed.index)
    diff = total.loc[both].sub(summed.loc[both], fill_value=0)
    pct = diff.div(summed.loc[both].where(summed.loc[both] != 0)) * 100
    diff = diff.reset_index().assign(row_type="difference", region="", region_name=lbl["row_difference"])
    pct = pct.reset_index().assign(row_type="difference_pct", region="", region_name=lbl["row_difference_pct"])
    return pd.concat([diff, pct], ignore_index=True)


def ledger_counts(ledger: pd.DataFrame) -> dict[str, int]:
    """Number of input rows read, used, skipped and rejected (DESIGN 3.3 row accounting)."""
    status = ledger["status"] if "status" in ledger else pd.Series(dtype=str)
    counts = status.value_counts()
    out = {"read": int(len(ledger))}
    out |= {s: int(counts.get(s, 0)) for s in ("used", "skipped", "rejected")}
    return out


def not_used_rows(ledger: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows that were skipped or rejected, in LEDGER_COLUMNS order."""
    if "status" not in ledger:
        return pd.DataFrame(columns=LEDGER_COLUMNS)
    return ledger[ledger["status"] != "used"].reindex(columns=LEDGER_COLUMNS)


# ---------------------------------------------------------------- cells

def _clean(text: str) -> str:
    """Text without the control characters that XML (and so xlsx) cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _cell(ws, value, number_format: str = FMT_T, bold: bool = False, indent: int = 0):
    """One write-only cell: strings forced to text (never a formula), numbers with `number_format`."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, _clean(value))
        cell.data_type = "s"
    elif isinstance(value, int | float):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = number_format
    else:
        cell = WriteOnlyCell(ws, _clean(str(value)))
        cell.data_type = "s"
    if bold:
        cell.font = BOLD
    if indent:
        cell.alignment = Alignment(indent=indent)
    return cell


def _records(df: pd.DataFrame) -> list[list]:
    """Rows of `df` as plain Python lists, missing values as None."""
    return df.astype(object).where(df.notna(), None).to_numpy().tolist()


def _append_header(ws, headers: list[str]) -> None:
    """A bold header row."""
    ws.append([_cell(ws, h, bold=True) for h in headers])


def _append_rows(ws, rows: list[list], formats: list[str], bold_rows: Iterable[bool] = ()) -> None:
    """Data rows; column i uses number format formats[i]; rows flagged in `bold_rows` in bold."""
    bold_rows = list(bold_rows) or [False] * len(rows)
    for row, bold in zip(rows, bold_rows):
        ws.append([_cell(ws, v, f, bold) for v, f in zip(row, formats)])


def _text_width(value) -> int:
    """Display width of a value in Excel character units (CJK characters count double)."""
    text = value if isinstance(value, str) else (f"{value:,.2f}" if isinstance(value, float) else str(value))
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E7F)


def _set_widths(ws, headers: list[str], rows: list[list], minimum: int = 6, maximum: int = 50) -> None:
    """Column widths from the header and the first 500 rows (characters)."""
    sample = [headers, *rows[:500]]
    for i in range(len(headers)):
        width = max((_text_width(r[i]) for r in sample if i < len(r) and r[i] is not None), default=minimum)
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, minimum), maximum)


def _sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\)."""
    base = _SHEET_NAME_BAD.sub("-", name)[:31] or "Sheet"
    out, n = base, 2
    while out in used:
        suffix = f" ({n})"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(out)
    return out


# ---------------------------------------------------------------- sheets

def _table_rows(df: pd.DataFrame, columns: list[str]) -> list[list]:
    """The listed columns of `df` as plain rows (missing columns empty)."""
    return _records(df.reindex(columns=columns))


def _formats(columns: list[str], numeric: set[str]) -> list[str]:
    """Number format per column: t-format for numeric columns, General otherwise."""
    return [FMT_T if c in numeric else FMT_GENERAL for c in columns]


def _write_summary(ws, result: BuildResult, lbl: dict, lang: str) -> None:
    """Sheet 汇总/Summary: CO2e (t) by sector x gas per region-year, then pollutants (t) by sector."""
    ghg = sector_gas_summary(result.emissions, lang)
    gases = [c for c in ghg.columns if c not in {*REGION_KEYS, "row_type", "sector", "item", "total"}]
    cols = [*REGION_KEYS, "item", *gases, "total"]
    headers = [lbl["col_region"], lbl["col_region_name"], lbl["col_year"], lbl["col_item"],
               *[f"{g} ({lbl['unit_co2e_t']})" for g in gases], f"{lbl['col_total']} ({lbl['unit_co2e_t']})"]
    rows = _table_rows(ghg, cols)
    pol = pollutant_summary(result.emissions, lang)
    pols = [c for c in pol.columns if c not in {*REGION_KEYS, "row_type", "sector", "item"}]
    pol_cols = [*REGION_KEYS, "item", *pols]
    pol_headers = headers[:4] + [f"{p} ({lbl['unit_t']})" for p in pols]
    pol_rows = _table_rows(pol, pol_cols)
    _set_widths(ws, headers if len(headers) >= len(pol_headers) else pol_headers, rows + pol_rows)
    ws.freeze_panes = "E2"
    _append_header(ws, headers)
    _append_rows(ws, rows, _formats(cols, {*gases, "total"}), ghg["row_type"].isin(["gross", "net"]))
    ws.append([])
    ws.append([_cell(ws, lbl["section_memo_note"])])
    ws.append([])
    ws.append([_cell(ws, lbl["section_pollutants"], bold=True)])
    _append_header(ws, pol_headers)
    _append_rows(ws, pol_rows, _formats(pol_cols, set(pols)), pol["row_type"].eq("total"))


def _write_sector(ws, result: BuildResult, sector: str, lbl: dict, lang: str) -> None:
    """One sector sheet: categories indented by level, gases in t, CO2e in t, pollutants in t."""
    tree = sector_tree(result.emissions, sector, lang)
    subs = [c for c in tree.columns if c not in {*REGION_KEYS, "category", "name", "depth", "memo"}]
    cols = [*REGION_KEYS, "category", "name", *subs]
    unit = {s: lbl["unit_co2e_t"] if s == "co2e_t" else lbl["unit_t"] for s in subs}
    headers = [lbl["col_region"], lbl["col_region_name"], lbl["col_year"], lbl["col_category"],
               lbl["col_category_name"],
               *[f"{'CO2e' if s == 'co2e_t' else s} ({unit[s]})" for s in subs]]
    rows = _table_rows(tree, cols)
    _set_widths(ws, headers, [r[:4] + [" " * 2 * d + (r[4] or "")] + r[5:] for r, d in zip(rows, tree["depth"])])
    ws.freeze_panes = "F2"
    _append_header(ws, headers)
    formats = _formats(cols, set(subs))
    for row, depth in zip(rows, tree["depth"]):
        cells = [_cell(ws, v, f) for v, f in zip(row, formats)]
        cells[4] = _cell(ws, row[4], indent=int(depth))
        cells[3] = _cell(ws, row[3], bold=depth == 0)
        ws.append(cells)


def _write_pollutants(ws, result: BuildResult, lbl: dict, lang: str) -> None:
    """Sheet 大气污染物/Air pollutants: sector x pollutant per region-year, t."""
    pol = pollutant_summary(result.emissions, lang)
    pols = [c for c in pol.columns if c not in {*REGION_KEYS, "row_type", "sector", "item"}]
    cols = [*REGION_KEYS, "item", *pols]
    headers = [lbl["col_region"], lbl["col_region_name"], lbl["col_year"], lbl["col_sector"],
               *[f"{p} ({lbl['unit_t']})" for p in pols]]
    rows = _table_rows(pol, cols)
    _set_widths(ws, headers, rows)
    ws.freeze_panes = "E2"
    _append_header(ws, headers)
    _append_rows(ws, rows, _formats(cols, set(pols)), pol["row_type"].eq("total"))


def _write_regions(ws, result: BuildResult, lbl: dict, lang: str) -> None:
    """Sheet 地区对比/Regions: prefectures, their sum, the province and the difference (t, %)."""
    comp = region_comparison(result.emissions, lang)
    subs = [c for c in comp.columns if c not in {"province", "year", "row_type", "region", "region_name"}]
    cols = ["year", "region", "region_name", *subs]
    headers = [lbl["col_year"], lbl["col_region"], lbl["col_region_name"],
               *[f"{s} ({lbl['unit_co2e_t'] if s == 'CO2e' else lbl['unit_t']})" for s in subs]]
    rows = _table_rows(comp, cols)
    _set_widths(ws, headers, rows)
    ws.freeze_panes = "D2"
    _append_header(ws, headers)
    is_pct = comp["row_type"].eq("difference_pct").tolist()
    for row, pct in zip(rows, is_pct):
        formats = [FMT_PCT if pct else f for f in _formats(cols, set(subs))]
        bold = not pct and row[1] == ""
        ws.append([_cell(ws, v, f, bold) for v, f in zip(row, formats)])


def _write_detail(ws, result: BuildResult, lbl: dict) -> pd.DataFrame | None:
    """Sheet 明细/Detail: header row here; returns the rows to splice in after saving (None: too large).

    openpyxl needs ~50 µs a cell, too slow for 100k rows x 20 columns, so the data
    rows are written as sheet XML by `_rows_xml` and spliced in by `_splice_rows`.
    """
    em = result.emissions
    if len(em) > EXCEL_MAX_DATA_ROWS:
        ws.column_dimensions["A"].width = 100
        ws.append([_cell(ws, lbl["detail_too_large"], bold=True)])
        return None
    cols = [*EMISSION_COLUMNS, *[c for c in ("sector", "substance_kind") if c in em.columns]]
    headers = [lbl.get(f"col_{c}", c) for c in cols]
    _set_widths(ws, headers, _table_rows(em.head(500), cols))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(em) + 1}"
    _append_header(ws, headers)
    return em.reindex(columns=cols)


def _xml_text(text: pd.Series) -> pd.Series:
    """Text escaped for an XML text node, without the control characters XML cannot hold."""
    text = text.str.replace(ILLEGAL_CHARACTERS_RE, "", regex=True)
    return text.str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;")


def _column_xml(values: pd.Series, refs: pd.Series, style: int | None) -> pd.Series:
    """One column's <c> elements: numbers as <v> (with style id `style`), text as inline strings."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        number = values.astype(float)
        text = values.astype(str) if pd.api.types.is_integer_dtype(values) else number.astype(str)
        attr = f' s="{style}"' if style else ""
        return (refs + attr + "><v>" + text + "</v></c>").where(np.isfinite(number), "")
    text = values.astype(object).where(values.notna(), "").astype(str)
    cells = refs + ' t="inlineStr"><is><t xml:space="preserve">' + _xml_text(text) + "</t></is></c>"
    return cells.where(text != "", "")


def _rows_xml(df: pd.DataFrame, first_row: int, styles: dict[str, int]) -> str:
    """<row> elements for `df` from Excel row `first_row`; strings always text (t="inlineStr"), never formulas."""
    numbers = pd.Series(np.arange(first_row, first_row + len(df)), index=df.index).astype(str)
    body = pd.Series("", index=df.index, dtype=object)
    for i, column in enumerate(df.columns):
        refs = '<c r="' + get_column_letter(i + 1) + numbers + '"'
        body = body + _column_xml(df[column], refs, styles.get(column))
    return "".join(('<row r="' + numbers + '">' + body + "</row>").tolist())


def _splice_rows(path: pathlib.Path, sheet_no: int, rows_xml: str) -> None:
    """Insert `rows_xml` at the end of the sheetData of worksheet `sheet_no` (1-based) in the saved file."""
    name = f"xl/worksheets/sheet{sheet_no}.xml"
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == name:
                xml = data.decode("utf-8")
                xml = re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml, count=1)
                data = xml.replace("</sheetData>", rows_xml + "</sheetData>", 1).encode("utf-8")
            dst.writestr(item, data)
    tmp.replace(path)


def _write_block(ws, title: str, headers: list[str], rows: list[list], formats: list[str]) -> None:
    """A titled table inside a sheet, followed by an empty row."""
    ws.append([_cell(ws, title, bold=True)])
    _append_header(ws, headers)
    _append_rows(ws, rows, formats)
    ws.append([])


def _write_qa(ws, result: BuildResult, lbl: dict) -> None:
    """Sheet QA: checks, not-estimated categories, row accounting, skipped/rejected rows, warnings."""
    checks = result.checks.reindex(columns=CHECK_COLUMNS).copy()
    checks["result"] = checks["result"].map(lambda r: lbl.get(f"result_{r}", r))
    ne = result.not_estimated.reindex(columns=NE_COLUMNS)
    counts = ledger_counts(result.ledger)
    bad = not_used_rows(result.ledger)
    warns = pd.DataFrame(result.warnings).reindex(columns=WARNING_COLUMNS)
    check_rows = _records(checks)
    _set_widths(ws, [lbl[f"col_{c}"] for c in CHECK_COLUMNS], check_rows + _records(bad) + _records(ne))
    ws.freeze_panes = "A3"
    _write_block(ws, lbl["section_checks"], [lbl[f"col_{c}"] for c in CHECK_COLUMNS], check_rows,
                 [FMT_T if c in {"value", "reference"} else FMT_PCT if c == "diff_pct" else FMT_GENERAL
                  for c in CHECK_COLUMNS])
    _write_block(ws, lbl["section_not_estimated"], [lbl[f"col_{c}"] for c in NE_COLUMNS], _records(ne),
                 [FMT_GENERAL] * len(NE_COLUMNS))
    _write_block(ws, lbl["section_ledger"], [lbl["col_status"], lbl["col_count"]],
                 [[lbl[f"status_{k}"], v] for k, v in counts.items()], [FMT_GENERAL, "#,##0"])
    _write_block(ws, lbl["section_ledger_rows"], [lbl[f"col_{c}"] for c in LEDGER_COLUMNS], _records(bad),
                 [FMT_GENERAL] * len(LEDGER_COLUMNS))
    _write_block(ws, lbl["col_message"], [lbl[f"col_{c}"] for c in WARNING_COLUMNS], _records(warns),
                 [FMT_GENERAL] * len(WARNING_COLUMNS))


def meta_rows(meta: dict) -> list[list[str]]:
    """The metadata as key/value text pairs; nested values as JSON, `inputs` left out (own table)."""
    def text(value) -> str:
        """A metadata value as display text."""
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return [[str(k), text(v)] for k, v in meta.items() if k != "inputs"]


def meta_inputs(meta: dict) -> pd.DataFrame:
    """The `inputs` entry of the metadata as a table of path and sha256."""
    inputs = meta.get("inputs") or []
    if isinstance(inputs, dict):
        inputs = [{"path": k, "sha256": v} for k, v in inputs.items()]
    return pd.DataFrame(inputs).reindex(columns=["path", "sha256"])


def _write_meta(ws, result: BuildResult, lbl: dict) -> None:
    """Sheet 元数据/Metadata: build metadata as key/value, then the inputs with their sha256."""
    rows = meta_rows(result.meta)
    inputs = _records(meta_inputs(result.meta))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 70
    ws.freeze_panes = "A2"
    _append_header(ws, [lbl["col_key"], lbl["col_value"]])
    _append_rows(ws, rows, [FMT_GENERAL, FMT_GENERAL])
    ws.append([])
    _write_block(ws, lbl["section_inputs"], [lbl["col_path"], lbl["col_sha256"]], inputs,
                 [FMT_GENERAL, FMT_GENERAL])


def write_workbook(result: BuildResult, path: pathlib.Path, lang: str = "zh") -> None:
    """Write the inventory workbook (emissions in t, CO2e in t CO2e) to `path`, labels in `lang`."""
    lbl = labels(lang)
    wb = Workbook(write_only=True)
    used: set[str] = set()
    _write_summary(wb.create_sheet(_sheet_name(lbl["sheet_summary"], used)), result, lbl, lang)
    names = vocab_names("sectors.csv", "sector", lang)
    for sector in ordered_sectors(result.emissions["sector"].dropna().unique()):
        ws = wb.create_sheet(_sheet_name(names.get(sector, sector), used))
        _write_sector(ws, result, sector, lbl, lang)
    _write_pollutants(wb.create_sheet(_sheet_name(lbl["sheet_pollutants"], used)), result, lbl, lang)
    _write_regions(wb.create_sheet(_sheet_name(lbl["sheet_regions"], used)), result, lbl, lang)
    detail_ws = wb.create_sheet(_sheet_name(lbl["sheet_detail"], used))
    detail = _write_detail(detail_ws, result, lbl)
    number_style = _cell(detail_ws, 0.0, FMT_T).style_id
    styles = {c: number_style for c in ("emission", "co2e_t", "activity_amount")}
    _write_qa(wb.create_sheet(_sheet_name(lbl["sheet_qa"], used)), result, lbl)
    _write_meta(wb.create_sheet(_sheet_name(lbl["sheet_meta"], used)), result, lbl)
    path = pathlib.Path(path)
    wb.save(path)
    if detail is not None and len(detail):
        _splice_rows(path, wb.worksheets.index(detail_ws) + 1, _rows_xml(detail, 2, styles))
