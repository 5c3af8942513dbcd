"""The ``sstar`` command: one module per subcommand, assembled in :mod:`sstar_dspy.cli.main`."""
