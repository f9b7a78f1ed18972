"""Notifications to the chat tools teams live in: Slack and Microsoft Teams incoming webhooks."""
