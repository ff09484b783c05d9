"""Favourites (收藏): a user's watch-list of published listings of every kind (achievements, patents, demands,
揭榜挂帅 challenges)."""
