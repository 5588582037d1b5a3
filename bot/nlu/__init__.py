"""Custom components that run inside Rasa's NLU pipeline (see config.yml)."""
