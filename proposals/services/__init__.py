"""Proposal services: intake (draft → registered) and handling (交办 → 办结)."""

from .after_reply import *  # noqa: F403
from .handling import *  # noqa: F403
from .intake import *  # noqa: F403
from .intake import MERGE_TARGET_STATES, BulkResult  # noqa: F401
from .season import *  # noqa: F403
