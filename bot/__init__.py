"""finops-bot: FinOps certification guidance for Slack, Teams and the terminal."""

__version__ = "0.1.0"
