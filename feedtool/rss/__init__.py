"""RSS as a format, for any feed (not only feedtool's): namespaces, validation against Apple's,
PSP-1's and Podcasting 2.0's rules, parsing a feed back into items, and diffing two feeds."""
