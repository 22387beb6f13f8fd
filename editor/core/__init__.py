"""Qt-free develop engine: sources, operations, edit model, pipeline and export."""
