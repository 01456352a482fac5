"""Use cases without Qt: what the window and the command line do, on top of the store."""
