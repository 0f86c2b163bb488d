"""WTForms per audience. Messages are lazy gettext strings, so they follow the request's language."""
