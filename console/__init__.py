"""The coordinators' console: its own process (``python -m console``),
server-rendered pages over bot/'s records. Never behind the webhooks' ingress."""
