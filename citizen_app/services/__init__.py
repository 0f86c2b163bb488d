"""What the views ask for: reading a plan (with its cache) and staging writes through the outbox."""
