"""Link health: check every outbound link of the episodes for real availability,
remember the history, report what broke (``feedtool links``)."""

from feedtool.links.check import REPORT_VERSION, check_links
from feedtool.links.config import LinksConfig
from feedtool.links.model import Report, Result
from feedtool.links.verdict import Verdict

__all__ = [
    "REPORT_VERSION",
    "LinksConfig",
    "Report",
    "Result",
    "Verdict",
    "check_links",
]
