"""Saved searches, followed demands, in-app notifications and alert e-mails."""
