"""The assistant's own logic: settings, language, texts, NLU components."""
