"""The principle of the week: which principle, when, and the post itself."""
