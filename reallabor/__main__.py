"""`python -m reallabor`: the same as the `reallabor` command."""

from reallabor.cli import main

raise SystemExit(main())
