"""Ingest: raw submissions read, parsed, matched and cleaned into the tidy table."""
