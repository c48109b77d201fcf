"""The debate map (issue 13): which propositions of prompts/debate.toml each document takes a
side on, who holds that side, and the sentence that shows it."""
