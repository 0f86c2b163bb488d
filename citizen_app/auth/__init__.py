"""Sign-in: server-side sessions, passkeys (py_webauthn), activation codes, challenges.

National eID (MitID through NemLog-in) is a later adapter: it ends, like a passkey ceremony, in
`identity.sign_in(account)`, which is the one place a session becomes signed in.
"""
