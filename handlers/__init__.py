"""The Slack surface: Bolt listeners and Block Kit views, thin on top of ``bot``."""
