"""Stage 2, render: `Episode` objects become chapters, transcripts and the feed's bytes. Pure
functions: nothing here touches the output folder."""
