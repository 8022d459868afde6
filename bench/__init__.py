"""survmap's benchmark: `make bench`. Prints one JSON object per line per figure."""
