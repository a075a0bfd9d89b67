"""Development tools: catalogs, a private X server for tests and benchmarks."""
