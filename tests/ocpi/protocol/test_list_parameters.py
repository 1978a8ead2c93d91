"""A list GET's query parameters: unknown ones and repeated ones are refused with 2001, naming them."""

import pytest

from evroam.ocpi.protocol.envelope import OcpiError
from evroam.ocpi.protocol.pagination import refuse_unknown_parameters


def test_a_parameter_given_twice_is_refused_naming_it():
    with pytest.raises(OcpiError, match="limit: given more than once"):
        refuse_unknown_parameters(["offset", "limit", "limit"])


def test_each_known_parameter_once_is_accepted():
    refuse_unknown_parameters(["date_from", "date_to", "offset", "limit"])
