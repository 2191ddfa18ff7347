"""Replay recorded OParl data over real HTTP on loopback (tests, benchmark, demo)."""
