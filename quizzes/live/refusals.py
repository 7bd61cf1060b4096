"""What a student is told when a live session cannot take their join or their answer."""

NO_SUCH_SESSION = "No live session has that code. Check the code on the screen and try again."
TOO_MANY_TRIES = (
    "Too many wrong codes from this network. Check the code on the screen, wait a few seconds, then try again."
)
LOCKED = "The teacher has closed this session to new players."
REMOVED = "The teacher removed you from this session."
NICKNAME_TAKEN = "Someone in this session already has that nickname. Choose another."
NOT_OPEN = "This question is not open for answers now."
TOO_LATE = "Time was up: your answer arrived after the question closed, so it was not counted."


class RefusedError(Exception):
    """A join or an answer the session cannot take; the message says why, for the student."""
