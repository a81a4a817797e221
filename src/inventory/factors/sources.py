"""The documents factor rows cite (DESIGN 3.4): `emission_factors/source_documents.csv` (id, title as published,
title_zh, title_en, publisher, year). A row's `source` is `<document id>: <table>`; a citation shows the
document's title in the reader's language where one is published, else the title as published (a title is a
citation, never translated here). The copy a value was read in (`read_in`, 转引自) is shown in Chinese by the
title `emission_factors/read_in_copies.csv` gives the copy."""

from __future__ import annotations

import io
from functools import cache

import pandas as pd

from inventory import resources
from inventory.factors.load import READ_IN_COPIES, SOURCE_DOCUMENTS
from inventory.lookup import map_distinct


@cache
def documents() -> pd.DataFrame:
    """The shipped source-document table, indexed by id (text columns; do not modify)."""
    text = (resources.factors_dir() / SOURCE_DOCUMENTS).read_text(encoding="utf-8-sig")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).set_index("id")


@cache
def copies() -> dict[str, str]:
    """The shipped copies' Chinese titles by the start of their read_in texts, longest start first."""
    text = (resources.factors_dir() / READ_IN_COPIES).read_text(encoding="utf-8-sig")
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    order = table["starts_with"].str.len().sort_values(ascending=False, kind="stable").index
    return dict(zip(table.loc[order, "starts_with"], table.loc[order, "title_zh"]))


def copy_title(read_in: str, lang: str = "zh") -> str:
    """The copy a value was read in as a reader of `lang` sees it: in Chinese the title of the shipped copy
    whose `starts_with` is the longest start of the text; in English, or for a text no copy starts (a
    user's own note), the text as written."""
    if lang == "en" or not read_in:
        return read_in
    return next((title for start, title in copies().items() if read_in.startswith(start)), read_in)


def split(source: str) -> tuple[str, str]:
    """(document id, table) of a source `<id>: <table>`; ("", source) when it names no known document."""
    doc, sep, table = source.partition(": ")
    return (doc, table) if sep and doc in documents().index else ("", source)


def cite(source: str, lang: str = "zh") -> str:
    """A source as a report cites it: the document's title in `lang` (else as published), its year, then the
    table (`2006年IPCC国家温室气体清单指南 (2006), Vol.2 Ch.2 Table 2.2`); a source naming no known document
    (a user's table, a workbook row) as it is."""
    doc, table = split(source)
    if not doc:
        return source
    title = document_title(doc, lang)
    return f"{title}, {table}" if table else title


def cited(sources: pd.Series, lang: str = "zh") -> pd.Series:
    """`cite` over a column (each distinct source worded once)."""
    return map_distinct(sources.fillna("").astype(str), lambda s: cite(s, lang))


def copy_titles(read_in: pd.Series, lang: str = "zh") -> pd.Series:
    """`copy_title` over a column (each distinct text worded once)."""
    return map_distinct(read_in.fillna("").astype(str), lambda text: copy_title(text or "", lang))


USED_COLUMNS = ["factor_id", "name", "value", "unit", "document", "table", "read_in", "source_detail"]


def used_factors(factor_ids: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the resolution table `table` (load.to_long shape, local rows included) named in the
    `;`-joined `factor_ids` of the emissions, once each, sorted by id: factor_id, name (`ef.CO2`, `ncv`...),
    value and unit as published (a local row: its canonical value and unit), document id and table (from
    `source`; a source naming no document keeps its text in `table`), read_in (转引自), source_detail."""
    ids = sorted({i for cell in factor_ids.dropna().unique() for i in str(cell).split(";") if i})
    rows = table[table["factor_id"].isin(ids)].drop_duplicates("factor_id")
    published = rows["published_value"] if "published_value" in rows else pd.Series(float("nan"), index=rows.index)
    parts = rows["source"].fillna("").astype(str).map(split)
    out = pd.DataFrame({
        "factor_id": rows["factor_id"], "name": rows["name"],
        "value": published.where(published.notna(), rows["value"]),
        "unit": rows["unit"].where(published.notna(), rows["basis"]),
        "document": [d for d, _ in parts], "table": [t for _, t in parts],
        "read_in": rows["read_in"].fillna("") if "read_in" in rows else "",
        "source_detail": rows["source_detail"].fillna(""),
    })
    return out.sort_values("factor_id", kind="stable").reset_index(drop=True)[USED_COLUMNS]


def document_title(doc: str, lang: str = "zh") -> str:
    """A document's title in `lang` where one is published, else as published, with its year; "" for no id."""
    if not doc or doc not in documents().index:
        return ""
    row = documents().loc[doc]
    title = row["title_en" if lang == "en" else "title_zh"] or row["title"]
    return f"{title} ({row['year']})" if row["year"] and row["year"] not in title else title
