"""Issue 15's schema: obligations stating a share of a cost, quotes of fragments, and their errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shequ.convert import structure, unstructure
from shequ.errors import ProblemsError
from shequ.forms.words import share_words
from shequ.model import Obligation

SOURCE = {"clause": "第四十四条", "quote": "按各自承担三分之一的比例承担其经费开支"}


def obligation(**keys) -> dict:
    return {"id": "funds", "title": "经费", "kind": "yearly", "source": SOURCE, **keys}


@pytest.mark.parametrize(
    ("share", "exact", "words"),
    [
        ("1/3", Fraction(1, 3), "one third (1/3)"),
        ("2/3", Fraction(2, 3), "two thirds (2/3)"),
        ("20%", Fraction(1, 5), "20%"),
        ("0.5", Fraction(1, 2), "one half (0.5)"),
        ("2/7", Fraction(2, 7), "2/7"),
    ],
)
def test_a_share_of_a_cost_is_kept_exact_and_said_as_written(share, exact, words):
    read = structure(obligation(share=share, basis="workstation_expenditure_yuan"), Obligation, "f.toml")
    assert read.fraction == exact and read.amount_yuan is None
    assert share_words(share) == words
    # written back as the text wrote it, never as a rounded float
    assert unstructure(read)["share"] == share


def test_an_amount_obligation_unstructures_as_before_without_a_share_key():
    read = structure(obligation(amount_yuan=10, basis="households"), Obligation, "f.toml")
    assert read.fraction == 10 and "share" not in unstructure(read)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"share": "1/3"}, "name the cost metric in 'basis'"),
        ({"share": "1/3", "amount_yuan": 1, "basis": "x"}, "either 'amount_yuan' or 'share'"),
        ({"basis": "x"}, "either 'amount_yuan' or 'share'"),
        ({"share": "a third", "basis": "x"}, "must be a fraction like"),
        ({"share": "4/3", "basis": "x"}, "at most the whole"),
        ({"share": "1/3", "basis": "x", "per": 3}, "leave 'per' out"),
    ],
)
def test_a_share_that_cannot_be_read_is_a_problem_naming_the_expectation(keys, message):
    with pytest.raises(ProblemsError) as caught:
        structure(obligation(**keys), Obligation, "f.toml")
    assert message in str(caught.value)
