"""Errors whose message is written for the user: adapters show it as it is, in one line."""


class UserFacingError(Exception):
    pass


class QuizError(UserFacingError):
    """A request the quiz cannot carry out (unknown question, wrong workspace, bad choice)."""


class StorageUnavailable(UserFacingError):
    """The database cannot take the request now (locked, read-only, unreachable); nothing was
    written."""
