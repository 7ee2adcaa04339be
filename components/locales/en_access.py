"""English messages of sign-in and access: refusals and bad input (the same
wording as ``data_access.messages.ENGLISH``, which the command line prints)."""

MESSAGES: dict[str, str] = {
    "access.refused.no_account": "Signed in as {email}, but you have no access yet.",
    "access.refused.read": "Your role ({role}) does not allow reading the dashboard.",
    "access.refused.export": "Your role ({role}) does not allow exporting data.",
    "access.refused.check": "Your role ({role}) does not allow checking returns: coordinators, managers and "
    "administrators may.",
    "access.refused.upload": "Your role ({role}) does not allow uploading returns: coordinators, managers and "
    "administrators may.",
    "access.refused.restore": "Your role ({role}) does not allow restoring uploads: managers and administrators may.",
    "access.refused.download_upload": "Your role ({role}) does not allow downloading uploaded files.",
    "access.refused.manage_users": "Your role ({role}) does not allow managing accounts: managers and "
    "administrators may.",
    "access.refused.read_audit": "Your role ({role}) does not allow reading the audit trail: administrators may.",
    "access.refused.country": "{country} is outside your access (your countries: {countries}).",
    "access.refused.not_uploader": "This file was uploaded by {uploader}: coordinators may download only the "
    "files they uploaded.",
    "access.refused.manage_role": "Only an administrator may give, change or remove the role {role}.",
    "access.invalid.email": '"{email}" is not an e-mail address.',
    "access.invalid.role": '"{role}" is not a role: use one of {roles}.',
    "access.invalid.country": '"{country}" is not a country code: use one of {codes}.',
    "access.invalid.no_country": "A coordinator needs at least one country.",
    "access.unknown_user": "{email} has no account.",
    "access.user_exists": "{email} already has an account (change it with set-role).",
    "access.last_admin": "{email} is the last administrator: add another administrator first.",
}
