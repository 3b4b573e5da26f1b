"""The brain of kensho, free of Slack: understanding questions, composing answers, and the services
(plain functions over a ``store.db.Database``) that Slack's listeners and the command line call."""
