"""medcodes: an open reference for CPT, HCPCS Level II, ICD-10-CM and ICD-10-PCS codes."""

__version__ = "0.1.0"
