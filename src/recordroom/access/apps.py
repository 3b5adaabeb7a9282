from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "recordroom.access"
    label = "access"
    verbose_name = "Access policy"

    def ready(self) -> None:
        # Load and validate the policy at start: a malformed policy stops the process here, with a
        # message naming the file and the problem.
        from recordroom.access.audit_events import AccessEvent
        from recordroom.access.policy import active_policy
        from recordroom.audit.registry import register_event_types

        active_policy()
        register_event_types(AccessEvent)
