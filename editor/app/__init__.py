"""Qt-free controllers between the core and the views: each owns one concern, exposes commands and tells
observers when something changed. Panels receive the controller they show (never the window)."""
