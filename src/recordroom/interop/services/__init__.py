"""The interop services: the synthetic hospital and the FHIR import (STYLE R2/R3). Split by topic;
import from here."""

from recordroom.interop.services.fhir_import import FileReport, ImportReport, import_fhir
from recordroom.interop.services.synth import SynthResult, synthesize_hospital

__all__ = ["FileReport", "ImportReport", "SynthResult", "import_fhir", "synthesize_hospital"]
