"""Helpers shared by the server-rendered pages: form data, pagination, lifecycle buttons, layout context."""
