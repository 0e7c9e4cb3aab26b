"""Who may write an initiative or an organisational priority's update: decided per object, on top of the site-wide roles
(civicplan/permissions.py)."""

from civicplan.permissions import is_editor, is_staff_member


def can_write_initiative(user, initiative, member_ids: set[int] | None = None) -> bool:
    """Editors write every initiative; staff those they lead or belong to.

    ``member_ids`` (the user ids of the initiative's team, prefetched by the caller) saves
    a query per initiative on list pages.
    """
    if is_editor(user):
        return True
    if not is_staff_member(user):
        return False
    if member_ids is None:
        member_ids = set(initiative.memberships.values_list("user_id", flat=True))
    return user.pk in member_ids


def can_write_organisational(user, lead_id: int | None) -> bool:
    """Editors write every organisational priority's update; staff the ones they lead.
    ``lead_id`` is the priority's lead's user id (``leadership__user_id``), or None."""
    if is_editor(user):
        return True
    return is_staff_member(user) and lead_id is not None and user.pk == lead_id
