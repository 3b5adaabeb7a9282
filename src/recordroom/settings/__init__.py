"""Settings package: ``base`` holds what every environment shares; ``dev``, ``test`` and
``production`` adjust it (STYLE R11). ``DJANGO_SETTINGS_MODULE`` picks one; the ``recordroom``
command defaults to ``recordroom.settings.dev``."""
