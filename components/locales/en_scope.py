"""English messages of what a person limited to some countries sees (``scope.*``)."""

MESSAGES: dict[str, str] = {
    "scope.all_yours": "All your countries",
    "scope.countries_help": "Your access covers {countries}. Leave empty to show all of them.",
}
