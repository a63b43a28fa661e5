"""Indexer: turns study record files into a served index generation."""
