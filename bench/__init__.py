"""`make bench`: mockserver side by side with Prism and a bare Starlette app."""
