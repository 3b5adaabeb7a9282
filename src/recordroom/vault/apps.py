from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "recordroom.vault"
    label = "vault"
    verbose_name = "Recordroom vault"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from recordroom.vault import checks  # noqa: F401  (registers the keyring system check)
