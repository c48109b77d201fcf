"""Ingestion: messy files in, clean documents with chunks and morphemes out."""
