"""Transitional re-exports while callers move to marketplace.records, marketplace.permissions and
marketplace.listing_edits (removed once nothing imports it)."""
from .listing_edits import check_version  # noqa: F401
from .permissions import can_see_listing as can_see, owns as can_edit  # noqa: F401
from .records import get_visible, visible_filter  # noqa: F401
