from django.apps import AppConfig


class SampleRecordsConfig(AppConfig):
    """Test-only records built on the vault's fields (installed by settings.test alone): the stand-in for
    the patients and documents apps in the vault's tests, the no-plaintext proof and the benchmarks."""

    name = "recordroom.vault.tests.sample_records"
    label = "sample_records"
    default_auto_field = "django.db.models.BigAutoField"
