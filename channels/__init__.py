"""Connectors to the outside world (SMS through Twilio, Telegram): issue 3."""
