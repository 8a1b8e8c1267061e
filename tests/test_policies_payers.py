"""Payer ids from file names and crawlers become the names people know the plans by."""

from medcodes.policies.metadata import payer_name


def test_known_payer_ids_get_display_names():
    assert payer_name("uhc") == "UnitedHealthcare"
    assert payer_name("floridablue") == "Florida Blue"
    assert payer_name("Florida Blue") == "Florida Blue"


def test_unknown_payers_pass_through_and_empty_stays_empty():
    assert payer_name("  Acme Health ") == "Acme Health"
    assert payer_name(None) is None
    assert payer_name("") == ""
