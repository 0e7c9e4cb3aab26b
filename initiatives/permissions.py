"""Who may write an initiative: decided per object, on top of the site-wide roles
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
