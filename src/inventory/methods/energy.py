"""Fuel combustion (1.A): CO2 by carbon content or factor, CH4/N2O and air pollutants by factor.

Works on activity keys (region, year, category, activity, technology): rows that
share a key are summed first, then every substance is computed on whole columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inventory import categories, units, vocabulary
from inventory.factors import penetration
from inventory.factors.coverage import subcategory_only
from inventory.factors.resolve import KEY_COLUMNS
from inventory.lookup import categorical, coded, map_codes, map_distinct, observed_categories
from inventory.methods import equations as eq
from inventory.methods.keys import (REASON_NO_FACTOR, REASON_NO_FACTOR_OR_NCV, REASON_SUBCATEGORY_ONLY,
                                    IdCodes, aggregate_keys, column, expected_pairs,
                                    with_parameters)

# The quantities a fuel amount is given in (t, m3 or TJ): each factor applies to the amount of its basis.
_BASES = ("energy", "mass", "volume")
# Activity units as codes: 0 none, then the canonical unit of each basis (units.canonical_unit), in _BASES order.
_UNIT = {b: i + 1 for i, b in enumerate(_BASES)}
_NAMES = ["ncv", "carbon_content", "oxidation_rate", "sulfur_content", "sulfur_retention", "ef",
          "removal_efficiency"]
# The factors and parameters whose level (shipped, user, workbook) _substances compares.
_LEVELS = {"carbon_content", "oxidation_rate", "ef.CO2"}


# compute_all hands this module the activity's region, category and activity as Categoricals (lookup.coded).
CODED_KEYS = True


def compute(activity: pd.DataFrame, factor_table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Emissions of fuel combustion and the not-estimated list.

    activity: validated activity rows of 1.A categories (amount in t, m3 or TJ; texts or Categoricals).
    factor_table: shipped + user + local factors (factors.load / resolve.local_to_long).
    Returns (emissions, not_estimated): emissions has KEY_COLUMNS, substance, emission (t),
    activity_amount, activity_unit, factor_ids, reported_amount, reported_unit (the amount as
    given: t, m3, or TJ for an amount in tce, before any calorific value), its texts as Categoricals
    (lookup.categorical); not_estimated has KEY_COLUMNS, substance, reason.
    """
    # Only fuels burn: the keys of other activities are left out (found per key, not per row), the rest numbered
    # in order as if their rows alone had been summed.
    keys = aggregate_keys(activity)
    del activity  # summed: the rows are freed here where the caller handed them over (methods.compute_all)
    is_fuel = (map_codes(keys["activity"], vocabulary.activities()["activity_class"]) == "fuel").to_numpy()
    if not is_fuel.all():
        keys = keys[is_fuel].reset_index(drop=True)
        keys["key_id"] = pd.factorize(keys["key_id"])[0]
    if keys.empty:
        return pd.DataFrame(), pd.DataFrame()
    k = penetration.apply(with_parameters(keys, factor_table, _NAMES, coded_ids=True, levels=_LEVELS), factor_table)
    # The keys' texts as Categoricals of the values present (those of the activity given may hold more).
    distinct = observed_categories(keys.drop_duplicates("key_id")[["key_id", *KEY_COLUMNS]])
    vocab = IdCodes()
    results = _substances(k, vocab)
    # The parameters' columns are done with: only the key rows' ids, amounts and quantities are kept.
    k = k[["key_id", "amount", "quantity"]].copy()
    out, estimated = _long(k, results, vocab)
    # Each emission row with its key's columns (both in key order: as an inner merge on key_id), the texts as
    # Categoricals (codes taken per row, lookup.coded).
    numbers = distinct["key_id"].to_numpy()
    at = out["key_id"].to_numpy()  # the keys numbered 0, 1, ... in order (aggregate_keys): a key_id is its position
    if not np.array_equal(numbers, np.arange(len(numbers))):
        at = pd.Index(numbers).get_indexer(at)
    out = pd.concat([coded(distinct[KEY_COLUMNS]).take(at).reset_index(drop=True), out.drop(columns="key_id")], axis=1)
    return out, _not_estimated(distinct, estimated, keys, factor_table)


class _Results:
    """The substances' (emission t, activity amount, activity unit as a code of `_UNIT`, factor ids as codes of an
    IdCodes) of every key row, as four matrices of key rows × substances (column-major: the value of row r and
    substance j at position j * rows + r), each substance's arrays written into their column as it is computed: no
    array per substance kept, none stacked (issue 14: the compute's peak memory)."""

    def __init__(self, rows: int, names: tuple[str, ...]) -> None:
        self.names = list(names)
        shape = (rows, len(names))
        self.parts = [np.empty(shape, order="F"), np.empty(shape, order="F"), np.empty(shape, dtype=np.int8, order="F"),
                      np.empty(shape, dtype=np.int32, order="F")]
        self.filled = set()  # every substance is written before the matrices are read (`take`)

    def __setitem__(self, name: str, values: tuple) -> None:
        j = self.names.index(name)
        for part, value in zip(self.parts, values):
            part[:, j] = value
        self.filled.add(name)

    def take(self) -> list[np.ndarray]:
        """The four matrices, handed over (no longer held here)."""
        if self.filled != set(self.names):
            raise ValueError(f"substances not computed: {sorted(set(self.names) - self.filled)}")
        parts, self.parts = self.parts, None
        return parts


# The substances in the order `_substances` computes them: the emission rows' order within a key.
_SUBSTANCES = ("CO2", "CH4", "N2O", "NOx", "CO", "NMVOC", "NH3", "SO2", "PM2.5", "PM10", "BC", "OC")


def _substances(k: pd.DataFrame, vocab: IdCodes) -> _Results:
    """Per substance of _SUBSTANCES (emission t, activity amount, activity unit as a code of `_UNIT`, factor ids as
    codes of `vocab`) of every key row of `k` (keys with their resolved parameters), as the columns of `_Results`:
    whole-column equations, ids chosen and joined on integer codes (each distinct tuple joined once)."""
    def num(name: str) -> np.ndarray:
        return column(k, name).to_numpy(dtype=float)

    def ids_of(name: str) -> np.ndarray:
        return vocab.codes(k[name]) if name in k else np.zeros(len(k), dtype=np.int64)

    # Bases, quantities and methods as codes of one vocabulary of texts: 0 none, then _BASES (codes of _UNIT).
    words = IdCodes()
    words.codes(np.array(_BASES, dtype=object))

    def word_of(name: str) -> np.ndarray:
        return words.codes(k[name]) if name in k else np.zeros(len(k), dtype=np.int64)

    amount_given = k["amount"].to_numpy(dtype=float)
    given = word_of("quantity")
    in_energy = given == _UNIT["energy"]
    ncv = num("ncv")
    ncv_basis = word_of("ncv:basis")
    ncv_ok = ncv_basis == given
    energy = np.where(in_energy, amount_given, np.where(ncv_ok, amount_given * ncv, np.nan))
    ncv_id = np.where(ncv_ok, ids_of("ncv:id"), 0)
    physical_quantity = np.where(in_energy, ncv_basis, given)
    with np.errstate(divide="ignore", invalid="ignore"):
        physical = np.where(in_energy, amount_given / ncv, amount_given)
    amounts = {"energy": energy}
    for quantity in ("mass", "volume"):
        amounts[quantity] = np.where(physical_quantity == _UNIT[quantity], physical, np.nan)
    # Converting an amount to another basis uses the calorific value: record it.
    basis_ids = {b: np.where(given == _UNIT[b], 0, ncv_id) for b in _BASES}
    # Per basis code (0: none, then those of _BASES, the codes of _UNIT), the amount in that basis and the ids it
    # used, as rows of a matrix: a factor's amount and ids taken by its basis code, one take each.
    amount_of = np.vstack([np.full(len(k), np.nan), *(amounts[b] for b in _BASES)])
    ids_of_basis = np.vstack([np.zeros(len(k), dtype=np.int64), *(basis_ids[b] for b in _BASES)])
    key_row = np.arange(len(k))
    # Only the energy and mass amounts and their ids are read below (CO2, SO2): the other key-row arrays freed.
    del amount_given, given, in_energy, ncv, ncv_basis, ncv_ok, ncv_id, physical_quantity, physical
    del amounts["volume"], basis_ids["volume"]

    def by_factor(substance: str):
        """(uncontrolled emission, activity amount, activity unit, ids) of ef.<substance>."""
        ef = num(f"ef.{substance}")
        basis = word_of(f"ef.{substance}:basis")
        basis = np.where(basis <= len(_BASES), basis, 0).astype(np.int8)  # another text (a method): none
        amount, chosen = amount_of[basis, key_row], ids_of_basis[basis, key_row]
        return eq.emission_from_factor(amount, ef), amount, basis, vocab.join(chosen, ids_of(f"ef.{substance}:id"))

    def eta(substance: str):
        return np.nan_to_num(num(f"removal_efficiency.{substance}"), nan=0.0), ids_of(f"removal_efficiency.{substance}:id")

    results = _Results(len(k), _SUBSTANCES)
    # CO2: a factor where one applies (a local ef.CO2 replaces the carbon method), else carbon content. A carbon
    # content or oxidation rate of a higher level (a workbook's over a shipped set's ef.CO2) keeps the carbon method.
    unc, amount, unit, ids = by_factor("CO2")
    carbon = eq.co2_from_carbon(energy, num("carbon_content"), num("oxidation_rate"))
    carbon_level = np.fmax(num("carbon_content:level"), num("oxidation_rate:level"))
    use_carbon = np.isnan(unc) | (~np.isnan(carbon) & (carbon_level > num("ef.CO2:level")))
    results["CO2"] = (np.where(use_carbon, carbon, unc), np.where(use_carbon, energy, amount),
                      np.where(use_carbon, _UNIT["energy"], unit),
                      np.where(use_carbon, vocab.join(basis_ids["energy"], ids_of("carbon_content:id"),
                                                          ids_of("oxidation_rate:id")), ids))
    for substance in ("CH4", "N2O", "NOx", "CO", "NMVOC", "NH3"):
        unc, amount, unit, used = by_factor(substance)
        e, e_ids = eta(substance)
        results[substance] = (eq.after_control(unc, e), amount, unit, vocab.join(used, e_ids))

    # SO2: a local ef.SO2 wins; else the sulfur balance where a sulfur content is given; else the factor.
    unc, amount, unit, ids = by_factor("SO2")
    local_ef = vocab.local()[ids_of("ef.SO2:id")]
    balance = eq.so2_from_sulfur(amounts["mass"], num("sulfur_content"),
                                 np.nan_to_num(num("sulfur_retention"), nan=0.0))
    use_balance = ~np.isnan(balance) & ~local_ef
    e, e_ids = eta("SO2")
    results["SO2"] = (eq.after_control(np.where(use_balance, balance, unc), e),
                      np.where(use_balance, amounts["mass"], amount),
                      np.where(use_balance, _UNIT["mass"], unit),
                      vocab.join(np.where(use_balance, vocab.join(
                          basis_ids["mass"], ids_of("sulfur_content:id"), ids_of("sulfur_retention:id")), ids), e_ids))

    # Particulate matter: PM10 after control from its PM2.5 and coarse parts (T/CSES Table A.1).
    pm25, a25, u25, ids25 = by_factor("PM2.5")
    pm10, a10, u10, ids10 = by_factor("PM10")
    e25, e25_ids = eta("PM2.5")
    results["PM2.5"] = (eq.after_control(pm25, e25), a25, u25, vocab.join(ids25, e25_ids))
    e10 = num("removal_efficiency.PM10")
    ecoarse, ecoarse_ids = eta("PM2.5-10")
    split = eq.pm10_after_control(pm25, pm10, e25, ecoarse)
    whole = eq.after_control(pm10, e10)
    results["PM10"] = (np.where(~np.isnan(e10) | np.isnan(pm25), whole, split), a10, u10,
                       vocab.join(ids10, np.where(~np.isnan(e10), ids_of("removal_efficiency.PM10:id"),
                                                      vocab.join(ids25, e25_ids, ecoarse_ids))))
    # BC and OC: a share of uncontrolled PM2.5 where the factor is a share, else their own factor.
    for substance in ("BC", "OC"):
        unc, amount, unit, ids = by_factor(substance)
        share = word_of(f"ef.{substance}:method") == words.codes(np.array(["share_of_PM2.5"], dtype=object))[0]
        share_unc = pm25 * num(f"ef.{substance}")
        e, e_ids = eta(substance)
        results[substance] = (eq.after_control(np.where(share, share_unc, unc), e),
                              np.where(share, a25, amount), np.where(share, u25, unit),
                              vocab.join(np.where(share, vocab.join(ids25, ids_of(f"ef.{substance}:id")),
                                                      ids), e_ids))
    return results


def _long(k: pd.DataFrame, results: _Results, vocab: IdCodes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(emissions per key_id and substance, the estimated key_id/substance pairs) from the substances'
    matrices over the key rows of `k` (`_Results`: units as codes of `_UNIT`, factor ids as codes of `vocab`), in
    key order, then substance order.

    A key given in two quantities (t and tce) has a row for each: its emission and amounts are summed,
    the reported amount only when both use one unit, and the ids of both joined; every other key's row is
    taken as it is (a sum of one value)."""
    names = results.names
    n, s = len(k), len(names)
    key_id = k["key_id"].to_numpy()
    # By key, then substance, then row: the order of the values laid out row by row (position row * s + substance),
    # in which only the rows of a key given in several quantities need reordering (`_key_order`), as positions in the
    # column-major matrices (substance * n + row). Each matrix is put in that order once and freed (`results` is
    # emptied).
    order = _key_order(key_id, s)
    order = (order % s) * n + order // s
    parts = results.take()

    def stacked(part: int, dtype) -> np.ndarray:  # the part's matrix as one array (a view), freed once taken
        out = parts[part].ravel(order="F")
        parts[part] = None
        return out

    emission = stacked(0, float)[order]
    kept = ~np.isnan(emission)
    order, emission = order[kept], emission[kept]
    amount = stacked(1, float)[order]
    unit = stacked(2, np.int8)[order]
    ids = stacked(3, np.int32)[order]
    code, row = np.divmod(order, n)  # the key row and the substance of each emission row
    reported = k["amount"].to_numpy(dtype=float)[row]
    # The reported unit as codes into its distinct texts (missing: the last but one, "": the last).
    quantity, quantities = pd.factorize(k["quantity"])  # each distinct quantity's unit looked up once
    canonical, unit_texts = pd.factorize(pd.Series(quantities).map(units.canonical_units()).to_numpy(dtype=object))
    unit_codes = np.append(canonical, -1)[quantity]
    unit_texts = np.append(np.asarray(unit_texts, dtype=object), [None, ""])
    reported_unit = np.where(unit_codes < 0, len(unit_texts) - 2, unit_codes).astype(np.int16)[row]
    key = key_id[row]
    del row, order
    # A group (key and substance) starts where either changes; the row-level arrays are freed once used, and
    # the group numbers are int32 (fewer fresh pages: issue 14).
    starts = np.ones(len(key), dtype=bool)
    starts[1:] = (key[1:] != key[:-1]) | (code[1:] != code[:-1])
    several = ~starts  # rows of a group of more than one
    several[:-1] |= ~starts[1:]
    group = np.cumsum(starts, dtype=np.int32)
    group -= 1  # the group of each row, groups numbered in order
    first = np.flatnonzero(starts)
    del starts
    key, code = key[first], code[first]  # each group's key and substance
    count = np.bincount(group, minlength=len(first)) if len(group) else np.zeros(0, dtype=np.int64)
    sums = {}
    for name, values in (("emission", emission), ("activity_amount", amount), ("reported_amount", reported)):
        one = values[first]
        sums[name] = np.where(np.isnan(one), 0.0, one) + 0.0  # as a groupby sum of one value
    unit_first, ids_first, reported_unit_first = unit[first], ids[first], reported_unit[first]
    at = np.flatnonzero(count > 1)  # the groups of several rows
    if several.any():
        # A group of two rows sums as a groupby does (its Kahan sum of two values skipping NaN is 0.0 + a + b,
        # a NaN counted as 0.0), on whole columns; groups of more rows (rare) by the groupby itself.
        two = at[count[at] == 2]
        more = at[count[at] > 2]
        for c, values in (("emission", emission), ("activity_amount", amount), ("reported_amount", reported)):
            a, b = values[first[two]], values[first[two] + 1]
            with np.errstate(invalid="ignore"):  # inf + -inf: NaN, as the groupby's
                sums[c][two] = (np.where(np.isnan(a), 0.0, a) + 0.0) + np.where(np.isnan(b), 0.0, b)
        if len(more):
            rows = np.flatnonzero(np.repeat(count > 2, count))
            summed = pd.DataFrame({c: v[rows] for c, v in (("emission", emission), ("activity_amount", amount),
                                                           ("reported_amount", reported))}
                                  ).groupby(group[rows], sort=False).sum()
            for c in sums:
                sums[c][summed.index.to_numpy()] = summed[c].to_numpy()
    del emission, amount, reported  # summed: freed before the units and ids are joined
    if several.any():
        # A key given partly in t and partly in tce has no one reported amount (adding them needs the NCV): a group
        # whose rows (the missing unit left out) hold more than one unit.
        multi = np.flatnonzero(several)
        units_code, units_group = reported_unit[multi], group[multi]
        valid = units_code != len(unit_texts) - 2
        reference = np.full(len(first), -1, dtype=np.int64)  # each group's first unit that is not missing
        reference[units_group[valid][::-1]] = units_code[valid][::-1]
        mixed = np.zeros(len(first), dtype=bool)
        mixed[units_group[valid & (units_code != reference[units_group])]] = True
        del multi, units_code, units_group, valid, reference
        sums["reported_amount"][mixed] = np.nan
        reported_unit_first[mixed] = len(unit_texts) - 1  # (the firsts are copies taken above)
        # The two quantities may have used different ids: join them, in row order.
        parts = [np.where(j < count[at], ids[np.minimum(first[at] + j, len(ids) - 1)], 0)
                 for j in range(int(count.max()))]
        ids_first[at] = vocab.join(*parts)
        del parts
    del unit, ids, reported_unit, group, several
    activity_units = [""] + [units.canonical_unit(b) for b in _BASES]
    out = pd.DataFrame({"key_id": key, "substance": categorical(code, names),
                        "emission": sums["emission"], "activity_amount": sums["activity_amount"],
                        "activity_unit": categorical(unit_first, activity_units),
                        "factor_ids": categorical(ids_first, vocab.texts), "reported_amount": sums["reported_amount"],
                        "reported_unit": categorical(reported_unit_first, unit_texts)})
    return out, out[["key_id", "substance"]]


def _key_order(key_id: np.ndarray, s: int) -> np.ndarray:
    """The positions (row * s + substance, int32 where they fit) of `s` substances' values laid out row by row,
    in the order by key, then substance, then row (a stable sort of key * s + substance). Keys in order (as
    aggregate_keys numbers them) need no sort: the layout is that order but within a key of several rows, whose
    block of positions is reordered substance first."""
    n = len(key_id)
    dtype = np.int32 if n * s < 2 ** 31 else np.int64  # half the memory of the arrays of every emission row
    if n > 1 and (key_id[1:] < key_id[:-1]).any():  # keys out of order: a stable sort
        return np.argsort(np.repeat(key_id.astype(np.int64) * s, s) + np.tile(np.arange(s), n),
                          kind="stable").astype(dtype)
    order = np.arange(n * s, dtype=dtype)
    starts = np.r_[True, key_id[1:] != key_id[:-1]] if n else np.zeros(0, dtype=bool)
    start = np.flatnonzero(starts)
    size = np.diff(np.append(start, n))
    if (size > 1).any():
        rows = np.flatnonzero(np.repeat(size > 1, size))  # the rows of keys of several rows
        first, count = np.repeat(start, size)[rows], np.repeat(size, size)[rows]
        substance = np.arange(s)
        # Position of (row, substance) in the order: the key's block, then substance, then row within the key.
        at = (first * s)[:, None] + substance[None, :] * count[:, None] + (rows - first)[:, None]
        order[at.ravel()] = (rows[:, None] * s + substance[None, :]).ravel()
    return order


def _not_estimated(distinct: pd.DataFrame, estimated: pd.DataFrame, keys: pd.DataFrame,
                   factor_table: pd.DataFrame) -> pd.DataFrame:
    """Keys × expected substances with no emission: notation key NE, with the reason (a code of
    data/messages.csv).

    Expected are the substances of data/expected_substances.csv and every substance the factor tables
    give the key's activity only at a sub-category of its category (factors.coverage); those get the
    reason that the row was given for the category as a whole. A category and substance listed in
    data/ne_reasons.csv take the more precise reason given there. Keys whose amounts are all zero emit
    nothing whatever the factor and are not listed.
    """
    nonzero = keys.groupby("key_id")["amount"].sum().loc[lambda a: a != 0].index
    distinct = distinct[distinct["key_id"].isin(nonzero)].reset_index(drop=True)
    position, expected, names = expected_pairs(distinct)
    below = distinct[KEY_COLUMNS].reset_index().merge(
        subcategory_only(distinct, factor_table)[KEY_COLUMNS + ["substance"]], on=KEY_COLUMNS)
    # Pairs (key position, substance) as integers: the expected ones, then those below not already expected
    # (a concat and drop_duplicates), less the estimated ones; marked in boolean arrays over all pairs.
    below_codes, below_names = pd.factorize(below["substance"])
    names = np.concatenate([names, np.setdiff1d(np.asarray(below_names, dtype=object), names)]).astype(object)
    width = len(names) + 1
    index = pd.Index(names)
    pair = position * width + expected
    below_pair = below["index"].to_numpy(dtype=np.int64) * width + index.get_indexer(below_names)[below_codes]
    have_at = pd.Index(distinct["key_id"]).get_indexer(estimated["key_id"])
    have_substance = index.get_indexer(estimated["substance"])
    ok = (have_at >= 0) & (have_substance >= 0)
    size = len(distinct) * width

    def marked(pairs: np.ndarray) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        mask[pairs] = True
        return mask

    have, expected_mask, below_mask = marked(have_at[ok] * width + have_substance[ok]), marked(pair), marked(below_pair)
    keep = ~have[pair]
    keep_below = ~have[below_pair] & ~expected_mask[below_pair] & ~pd.Series(below_pair).duplicated().to_numpy()
    only_below = np.concatenate([below_mask[pair[keep]], np.ones(int(keep_below.sum()), dtype=bool)])
    kept = np.concatenate([pair[keep], below_pair[keep_below]])
    # The rows as codes (lookup.categorical): the key's columns taken by position, the substance and reason by code.
    substance = kept % width
    missing = coded(distinct[KEY_COLUMNS]).take(kept // width).reset_index(drop=True)
    missing["substance"] = categorical(substance, names)
    no_ncv = set(pd.unique(keys.loc[keys["quantity"] != "energy", "activity"]))
    activity = missing["activity"].cat
    reason = np.select(
        [only_below, np.append(activity.categories.isin(no_ncv), False)[activity.codes] & (names[substance] == "CO2")],
        [1, 2], 0)
    # A category and substance of data/ne_reasons.csv take its reason: looked up once per distinct pair.
    category = missing["category"].cat
    pair, pairs = pd.factorize(category.codes.astype(np.int64) * width + substance)
    specific = {(c, x): r for c, x, r in vocabulary.ne_reasons().itertuples(index=False)}
    texts = [REASON_NO_FACTOR, REASON_SUBCATEGORY_ONLY, REASON_NO_FACTOR_OR_NCV]
    found = np.array([specific.get((category.categories[p // width] if p // width >= 0 else None, names[p % width]), "")
                      for p in pairs], dtype=object)
    has = np.append(found != "", False)[pair]
    missing["reason"] = categorical(np.where(has, len(texts) + pair, reason), np.concatenate([texts, found]))
    return missing


def is_combustion(category: pd.Series) -> pd.Series:
    """True for categories under 1.A (fuel combustion)."""
    return map_distinct(category, lambda c: "1.A" in categories.ancestors(c)).astype(bool)


handles = is_combustion  # the method registry's name (methods/__init__.py)
