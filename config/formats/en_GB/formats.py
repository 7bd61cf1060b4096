"""Dates as teachers type and read them in forms: "08 Dec 2026", never "08/12/2026", which half
the world reads as 12 August. The first input format is also what the admin's calendar writes.
Django's own en_GB formats give everything not set here."""

DATE_INPUT_FORMATS = [
    "%d %b %Y",  # '08 Dec 2026'
    "%d %B %Y",  # '08 December 2026'
    "%d/%m/%Y",  # '08/12/2026', as typed in Britain
    "%d/%m/%y",  # '08/12/26'
]  # Django adds ISO 8601 ('2026-12-08')
