"""What Medicare pays for a code and the limits on billing it: physician fee schedule amounts by
locality, clinical lab and hospital outpatient rates, anesthesia conversion factors, MUE limits.

Public functions take the built database's Store."""

from medcodes.payment.lookup import LOCALITY_FORMAT, localities, payment_for, resolve_locality
from medcodes.payment.model import Locality, Payment, UnknownLocality
from medcodes.payment.serialize import payment_json

__all__ = [
    "LOCALITY_FORMAT",
    "Locality",
    "Payment",
    "UnknownLocality",
    "localities",
    "payment_for",
    "payment_json",
    "resolve_locality",
]
