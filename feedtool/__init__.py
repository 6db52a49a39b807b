"""feedtool: turn a folder of Markdown episodes into a podcast feed, chapters,
transcripts and a link health report."""

__version__ = "0.1.0"
