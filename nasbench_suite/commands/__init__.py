"""CLI sub-commands, one module each, each exposing ``register(subparsers)``."""
