"""The advisory pages: the public site (list, advisory, feed) and the desk's editor."""
