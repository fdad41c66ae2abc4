"""`mockserver diff`: breaking changes between two documents, each proven by a witness.

The command line is `mockserver.cli.diff`; `runner.diff_files` is the entry point.
"""
