"""Home page, workspace and the helpers shared by the server-rendered pages."""
