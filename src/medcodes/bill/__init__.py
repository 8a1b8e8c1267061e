"""Reading a pasted bill or Explanation of Benefits: service lines (CPT/HCPCS codes with modifiers,
units and dates of service) and diagnosis codes, found in context. Parsing only: nothing here looks
anything up; a face-level module (medcodes.bill_document) explains each line."""

from medcodes.bill.parse import BillLine, ParsedBill, Token, parse

__all__ = ["BillLine", "ParsedBill", "Token", "parse"]
