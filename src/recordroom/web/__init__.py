"""The web shell: layout, navigation by role, dashboards, error pages, vendored htmx."""
