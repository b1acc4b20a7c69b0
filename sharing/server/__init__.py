"""The HTTP server: TAXII 2.1 over the pool, EIP-4361 sign-in, the dashboard (``sharing serve``)."""
