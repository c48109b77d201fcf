"""Telegram entry point: handlers and jobs over the services."""
