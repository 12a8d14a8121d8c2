"""poe-checker: judge a Proof of Execution package against the MCI POE guidelines."""

__version__ = "0.1.0"
