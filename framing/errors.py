"""The one exception type for user mistakes.

Everything a user can get wrong (a bad file, an unknown label, a missing
option) raises :class:`FramingError` with a one-line message that says what
was expected, what was found and how to fix it. The CLI prints that line and
exits with status 1; anything else is a bug and keeps its traceback.
"""


class FramingError(ValueError):
    """Bad input from the user: a file, a label, a setting."""
