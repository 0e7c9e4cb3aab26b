"""The groups of DESIGN.md. Their permissions are made by migration 0003_roles: they say
what kind of thing a group may change; which initiatives a staff member may write is
decided per object by the views (those they lead or belong to)."""

STAFF, EDITORS, BOARD = "staff", "editors", "board"
