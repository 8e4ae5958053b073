"""Identity: staff sign-in (Cognito), client sign-in by email link, client sessions, and whether a contact is still current."""
