"""Transformer family: attention written out, generated tasks and a character LM, trained live."""
