"""Board updates and stored reports will live here (see the reporting issue)."""
