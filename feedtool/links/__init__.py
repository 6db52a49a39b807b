"""Link health: check every outbound link of the episodes for real availability,
remember the history, report what broke (``feedtool links``)."""
from .check import REPORT_VERSION, check_links
from .config import LinksConfig, parse_links_config
from .model import Report, Result
from .verdict import Verdict

__all__ = ["REPORT_VERSION", "check_links", "LinksConfig", "parse_links_config", "Report", "Result", "Verdict"]
