"""Validation of day parameters (no heavy imports: loaded with the plugin)."""

from __future__ import annotations

import re

#: The only accepted shape of a day parameter.
DS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidDay(ValueError):
    """A ``ds`` that is not a real ``YYYY-MM-DD`` date."""


def check_ds(ds: str) -> str:
    """Return ``ds`` if it is a real calendar day written ``YYYY-MM-DD``.

    >>> check_ds("2024-03-01")
    '2024-03-01'
    >>> check_ds("../../etc")
    Traceback (most recent call last):
    ...
    newsetl.ui.days.InvalidDay: not a YYYY-MM-DD day: '../../etc'
    >>> check_ds("2024-02-30")
    Traceback (most recent call last):
    ...
    newsetl.ui.days.InvalidDay: not a YYYY-MM-DD day: '2024-02-30'
    """
    from newsetl.layout import Day  # the one validation of a day, as for every path

    try:
        return Day(ds).ds if isinstance(ds, str) else Day("")
    except ValueError:
        raise InvalidDay(f"not a YYYY-MM-DD day: {ds!r}") from None
