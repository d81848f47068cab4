"""Runnable pipelines and the `x-spaces` command line."""
