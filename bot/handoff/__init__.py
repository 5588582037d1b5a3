"""Handing a conversation to a person: cases, the alert outbox and its worker.

A case is stored first; alerts go into the outbox in the same transaction;
a worker process sends them, retrying with backoff, so nothing is lost while
Telegram, Twilio or the worker itself is down. While a case is open the bot
steps aside for that young person (channels/inbox.py)."""
