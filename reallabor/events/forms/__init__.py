"""Forms of the events' pages (one module per area: ``public`` for the participants' forms)."""
