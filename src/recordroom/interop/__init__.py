"""Interoperability: FHIR bundle import and the synthetic hospital now; HL7 v2 intake and the FHIR API later
(DESIGN.md apps)."""
