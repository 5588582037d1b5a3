"""Web chat: a page a service can link to, for a young person without
credit or a phone of their own (connector.py serves it and its messages)."""
