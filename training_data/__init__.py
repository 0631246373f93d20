"""Training-data tooling: reading and editing the NLU files, and the data checks of `make check`."""
