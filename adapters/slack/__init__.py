"""The Slack adapter: a Bolt for Python app that translates between Slack and the quiz core.

Importing this package pulls in nothing from Slack; `component` and `app` do.
"""
