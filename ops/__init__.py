"""Developer and operator tooling: training, starting the servers, rendering endpoints.

Used by the Makefile and by the end-to-end tests, so both start the bot the same way.
"""
