"""Input channels for the Rasa server (loaded from credentials.yml)."""
