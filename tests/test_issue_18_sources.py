"""Issue 18 item 4: every shipped factor row cites a document of source_documents.csv and the table in it;
the copy a value was read in is apart (`read_in`)."""

from __future__ import annotations

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
