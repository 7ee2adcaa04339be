"""English messages of sign-in, local mode and the acting person (``auth.*``)."""

MESSAGES: dict[str, str] = {
    "auth.role.viewer": "viewer",
    "auth.role.coordinator": "coordinator",
    "auth.role.manager": "manager",
    "auth.role.admin": "administrator",
    "auth.role.None": "no access",
    "auth.role_for": "{role}: {countries}",
    "auth.signed_in_as": "Signed in as **{name}** ({role})",
    "auth.sign_in": "Sign in",
    "auth.sign_out": "Sign out",
    "auth.sign_in.body": "This dashboard holds security-audit findings of prisons. Sign in with your "
    "organisation's account to see the countries you have access to.",
    "auth.provider_unreachable": "Sign-in is not available right now: the identity provider does not answer "
    "at `{url}` ({error}). Try again in a few minutes; if it persists, tell whoever runs this dashboard.",
    "auth.misconfigured": "Sign-in is not configured correctly, so nobody can sign in: {error} Tell whoever runs "
    "this dashboard (README, section Sharing it).",
    "auth.no_access": "Signed in as {email}, but you have no access yet.",
    "auth.no_email": "You are signed in, but your organisation's identity provider did not send a verified e-mail "
    "address, and access is given by e-mail address. Tell whoever runs this dashboard: the provider must send "
    "the `email` claim (README, section Sharing it).",
    "auth.request": "Request access",
    "auth.requested": "Your request is recorded. A programme manager will give you access; "
    "sign in again once they tell you it is done.",
    "auth.local_sidebar": "Local mode: {name} (administrator)",
    "auth.local_banner": "Local mode: anyone using this computer has full rights; configure sign-in to share it.",
    "auth.sharing_link": "How to share it",
    "auth.sharing_title": "Sharing it",
    "auth.sharing_missing": "See `{link}` in the dashboard's folder.",
    "auth.exposed.title": "This server listens on {address} without sign-in, so it shows no data.",
    "auth.exposed.body": "Without sign-in the dashboard only runs for the person at this computer. To share it, "
    "configure sign-in through your organisation's identity provider: add an `[auth]` section to "
    "`.streamlit/secrets.toml` as `{link}` explains (copied below), and restart. To use it on this computer only, "
    "start it without `--server.address` (it then listens on 127.0.0.1).",
    "auth.outside_access": "Outside your access: {countries}.",
}
