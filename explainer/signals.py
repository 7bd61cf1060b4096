"""Signals of the reading side, for apps that build on its content."""

from django.dispatch import Signal

# Sent by `content_load` after the content is in the database, with `report` (a LoadReport).
# Receivers may add lines to `report.notes` for the person who ran the load.
content_loaded = Signal()
