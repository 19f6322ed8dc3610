"""Tests of the auth package."""
