"""Attacks by a careless or hostile user (issue 13): one test per attack, named for it.

Each test failed on the code before its fix. Shared helpers come from tests/helpers.py.
"""
