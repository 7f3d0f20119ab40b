"""Blueprints: the search page (`pages`), section pages (`sections`), the JSON API (`api`)."""
