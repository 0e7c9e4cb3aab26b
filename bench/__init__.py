"""civicplan's benchmark: prints figures, asserts nothing about time."""
