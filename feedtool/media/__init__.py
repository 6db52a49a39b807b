"""Media from the show's host: fetching its RSS feed, matching its items to episode files, and the
import that pins the host's enclosures and guids in `media.yaml`."""
