"""Issue 18 item 4: every shipped factor row cites a document of source_documents.csv and the table in it;
the copy a value was read in is apart (`read_in`)."""

from __future__ import annotations

import re

import pandas as pd

from inventory.factors import sources
from inventory.factors.load import shipped


def test_issue_18_every_factor_row_resolves_to_a_document():
    table = shipped()
    docs = table["source"].str.partition(": ")
    unresolved = table[~docs[0].isin(sources.documents().index) | (docs[2].str.strip() == "")]
    assert unresolved[["file", "factor_id", "source"]].values.tolist() == []


def test_issue_18_documents_have_a_published_title_and_ids_are_unique():
    docs = sources.documents()
    assert docs.index.is_unique and (docs["title"] != "").all()


def test_issue_18_citation_in_either_language_and_secondary_copy_apart():
    assert sources.cite("ipcc2006: Vol.2 Ch.2 Table 2.2") == "2006年IPCC国家温室气体清单指南, Vol.2 Ch.2 Table 2.2"
    assert sources.cite("ipcc2006: Vol.2 Ch.2 Table 2.2", "en") == \
        "2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol.2 Ch.2 Table 2.2"
    # no Chinese title is published for the EMEP/EEA guidebook: the title stays as published
    assert sources.cite("emep_eea2023: 1.A.1.a Table 3-2").startswith("EMEP/EEA air pollutant emission inventory")
    assert sources.cite("本地调查") == "本地调查"
    tcses = shipped()
    tcses = tcses[tcses["source"].str.startswith("tcses144_2024: ")]
    assert (tcses["read_in"].str.startswith("third-party text extraction")).all()
    assert not tcses["source"].str.contains("secondary|glittering", regex=True).any()
    assert isinstance(tcses, pd.DataFrame)


def test_every_shipped_read_in_text_has_a_copy_with_a_chinese_title():
    """The workbook's 转引自 column in Chinese: each shipped row's read_in text starts with the `starts_with`
    of a copy in read_in_copies.csv, and every copy there is the copy of some row (no dead rows)."""
    texts = pd.Series(shipped()["read_in"].unique())
    texts = texts[texts != ""]
    starts = list(sources.copies())
    matched = texts.map(lambda t: [s for s in starts if t.startswith(s)])
    assert texts[matched.map(len) == 0].tolist() == []
    assert set(starts) - {s for found in matched for s in found} == set()
    assert all(re.search(r"[\u4e00-\u9fff]", title) for title in sources.copies().values())


def test_copy_title_words_the_copy_in_chinese_and_leaves_english_and_own_notes_as_written():
    tcses = ("third-party text extraction of the T/CSES 144-2024 PDF (glittering-universe/fixed-combustion-"
             "inventory-experiment-v2 @b9dd635, rules/stage_r/tcses_fixed_combustion_scope.md); measure SCR")
    assert sources.copy_title(tcses) == ("T/CSES 144-2024 PDF 的第三方文本提取（glittering-universe/"
                                         "fixed-combustion-inventory-experiment-v2 仓库 @b9dd635）")
    assert sources.copy_title(tcses, "en") == tcses
    assert sources.copy_title("本市环境统计年报 2020") == "本市环境统计年报 2020"  # a user's own note
    # the longest start wins: "bonsai-ipcc 0.5.3 PyPI wheel" and "bonsai-ipcc 0.5.3 data files" share a start
    assert sources.copy_title("bonsai-ipcc 0.5.3 data files bonsai_ipcc/data/generic/x.csv").endswith(
        "par_carbon_content_per_energy.csv）")
    column = pd.Series([tcses, None, "", tcses])
    assert sources.copy_titles(column).tolist() == [sources.copy_title(tcses), "", "", sources.copy_title(tcses)]
