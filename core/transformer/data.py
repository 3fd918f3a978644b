"""The transformer's tasks live in :mod:`core.tasks`, shared with the RNN family; this module
re-exports them so existing imports keep working."""
from core.tasks import (MAX_ALPHABET, MAX_TEXT_BYTES, MIN_TEXT_CHARS, SHIPPED_TEXT,  # noqa: F401
                        CharText, SequenceTask, check_text, load_shipped_text, make_task, symbols)

__all__ = ["SequenceTask", "make_task", "CharText", "check_text", "load_shipped_text",
           "MAX_TEXT_BYTES", "MIN_TEXT_CHARS", "MAX_ALPHABET", "SHIPPED_TEXT", "symbols"]
