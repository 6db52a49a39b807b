"""Stage 3, publish: the build pipeline (read -> render -> validate -> guard -> atomic write), the
publishing guards, the run lock and the scheduled `run` job."""
