"""The customer's order tracker: the private status page, its live fragment, JSON form and order lookup."""
