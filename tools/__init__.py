"""Scripts for working on civicplan (run by the Makefile)."""
