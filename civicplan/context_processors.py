"""What every page's frame needs to know about the person reading it."""

from .permissions import sees_only_approved


def roles(request):
    # A callable: the template calls it only where it is used (no query otherwise).
    return {"reader_only": lambda: sees_only_approved(request.user)}
