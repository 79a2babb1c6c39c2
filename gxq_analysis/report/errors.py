"""The error `gxq report` raises when a pack cannot be rendered (shared by render and export)."""


class RenderError(RuntimeError):
    """The pack could not be rendered; the message says what failed and where."""
