"""What tips, corrections and research checks share: the moderated record (status, private key,
who decided, when and why), the locking and deciding steps, the per-address rate limit and the
form fields that every public form carries (contact address, honeypot)."""
