"""The errors that services raise: a rule refused the change. Views turn them into a form error or a
message, the API into a 400 (or a 409 for ``StateConflict``); their message is translated and safe
to show."""


class ServiceError(Exception):
    """A rule refused the change. The message is translated and safe to show."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
