"""The fault suite: hostile servers, broken keyrings and interrupted work (issue 7)."""
