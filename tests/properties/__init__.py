"""Property tests (hypothesis) of every parser of outside data (issue 7)."""
