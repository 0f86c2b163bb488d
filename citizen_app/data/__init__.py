"""Query and write functions per aggregate. They take a session; they never see a request."""
