"""Numbers on the wire: ASCII digits only, and not so many that ``int`` refuses them."""

import pytest

from dmmodel.wire.numbers import MAX_DIGITS, ascii_number


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("212", 212), (" 1201\n", 1201),
                                              ("9" * MAX_DIGITS, int("9" * MAX_DIGITS))])
def test_ascii_digits_are_numbers(text, value):
    assert ascii_number(text) == value


@pytest.mark.parametrize("text", [None, "", " ", "²", "¹²³", "٣", "9" * (MAX_DIGITS + 1), "9" * 4400,
                                  "-1", "+1", "1.0", "1e3", "0x10", "1 2"])
def test_anything_else_is_not(text):
    assert ascii_number(text) is None
