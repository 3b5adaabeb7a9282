from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "recordroom.accounts"
    label = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        from recordroom.accounts.security_events import SecurityEventKind
        from recordroom.audit.registry import register_event_types

        register_event_types(SecurityEventKind)
