"""The compliance calendar: who must report what, to which PRO, by when, and whether it is done.

Deadlines are computed, never stored: from the organization's credentials (each of their report
types) and obligations, the catalog's deadline rules and the organization's overrides. Only what
people record is stored: submissions, overrides, calendar feed tokens and sent reminders.
"""
