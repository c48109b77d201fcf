"""The day's news as readers want it: stories told by several outlets as one item, figures
documents give differently set side by side, and one line per document that says its point.
Library functions over stored documents; the briefing composes them."""
