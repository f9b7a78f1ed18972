"""Ideas portal."""
