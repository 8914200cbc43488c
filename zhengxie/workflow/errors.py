"""Domain errors raised by services. Pages show them as messages; the API answers 400 with `detail`."""


class DomainError(Exception):
    """An action that cannot be done now; the message is Chinese and shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(DomainError):
    pass


class InvalidInput(DomainError):
    pass
