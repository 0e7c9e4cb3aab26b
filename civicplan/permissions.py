"""Who may do what, decided on the server for each request and each object.

Roles are the groups of DESIGN.md: staff write the quarterly tracking of the initiatives
they lead or belong to, editors write everything, the board reads; a superuser is an
editor too. Views call these and answer 403 when they say no, whatever the page showed.
"""

from django.core.exceptions import PermissionDenied

from .roles import BOARD, EDITORS, STAFF


def _groups(user) -> set[str]:
    # One query per request at most: the names are kept on the user object.
    if not hasattr(user, "_civicplan_groups"):
        user._civicplan_groups = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return user._civicplan_groups


def is_editor(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or EDITORS in _groups(user))


def is_staff_member(user) -> bool:
    return user.is_authenticated and user.is_active and STAFF in _groups(user)


def is_board(user) -> bool:
    return user.is_authenticated and user.is_active and BOARD in _groups(user)


def can_read(user) -> bool:
    """Everyone signed in with a role reads the plan, the calendar and the reports."""
    return is_editor(user) or is_staff_member(user) or is_board(user)


def sees_only_approved(user) -> bool:
    """Board members who are not also staff or editors read approved updates only."""
    return is_board(user) and not (is_editor(user) or is_staff_member(user))


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
