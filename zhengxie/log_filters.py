"""Logging filters referenced from settings.LOGGING."""

import logging


class DropClientErrorTraceback(logging.Filter):
    """A 4xx (403 refused, 404 not found) is not a server fault: keep the line, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
