"""Forms of the actors' pages, one module per area (they check and convert input; the services decide)."""
