"""The shared store (SQLite or PostgreSQL): what the bot learns from use, and what lets several
instances behave as one. Used by adapters and wired in the composition root; the core never
imports it."""
