"""Tests of this log's own notes and snippets. tools/new_log does not copy them into a new log;
the tests one level up test the machinery and hold for any log."""
