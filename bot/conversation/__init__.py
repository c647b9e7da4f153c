"""Between the platforms and the core: one conversation service, its access rules and memory."""
