"""Entry point (placeholder until the CLI lands)."""


def main() -> int:
    print("issues-tui: not built yet")
    return 2
