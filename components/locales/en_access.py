"""English messages of sign-in and access: refusals and bad input.

The data layer raises them (``data_access.rules.access``, ``data_access.access``)
and the command line prints them, so their English lives once, in
``data_access.messages.ENGLISH`` (keys ``access.*``); the app shows the same
text, and other languages translate these keys like any other."""

from data_access.messages import ENGLISH

MESSAGES: dict[str, str] = {key: text for key, text in ENGLISH.items() if key.startswith("access.")}
