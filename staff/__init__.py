"""What clinic staff run: `python -m staff ...` (bookings, review, conversations, transcripts)."""
