"""kensho's composition root: the ``kensho`` command line and the Slack app it serves.

The one package that wires ``handlers`` (Slack), ``bot`` (no Slack) and ``store`` (persistence)
together; nothing below it imports it.
"""
