"""The Slack adapter: a Bolt AsyncApp whose listeners turn Slack payloads into Bot calls."""
