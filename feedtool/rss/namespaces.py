"""The XML namespaces and media types the feed writes and the validator checks."""

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_NS_GITHUB = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
PSC_NS = "http://podlove.org/simple-chapters"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

# several apps match the literal prefix, so these are the only ones feedtool writes
PREFIXES = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "psc": PSC_NS, "content": CONTENT_NS, "atom": ATOM_NS}

JSON_CHAPTERS_TYPE = "application/json+chapters"
