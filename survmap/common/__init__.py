"""Small pieces every survmap app shares: the timestamped base model, partial dates, URL checks."""
