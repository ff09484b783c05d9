"""Home page and the workspace (我的工作台)."""
