"""The brain of kensho, free of Slack: understanding questions, composing answers, the CLI."""
