"""Stage 1, read: episode files, front matter, guest profiles, show notes, the episode cache and the
media manifest become frozen `Episode` objects and `Problem` records. Nothing here writes outputs."""
