"""Where log records go when nothing else decided: stderr, formatted as uvicorn's own.

uvicorn configures only its own loggers. Without this, the app's warnings and errors
(a database outage, a mail given up on) reach Python's last-resort handler, which
prints the bare message: no level, no logger name.
"""

import logging

# Libraries that log what a client sent wrong, which the 4xx answer and the access log
# already record: python-multipart warns about every malformed form body, so any
# client could fill the log with them.
CLIENT_NOISE = ("python_multipart",)
FORMAT = "%(levelprefix)s %(name)s: %(message)s"
# This package's logger: its modules' records, yours included, print from INFO.
PACKAGE = __name__.partition(".")[0]


def configure_logging() -> None:
    """Send records to stderr in uvicorn's format, unless logging is set up already.

    This package's records print from INFO, other libraries' from WARNING, and the
    `CLIENT_NOISE` loggers' from ERROR. A root logger that has handlers is left alone
    (`uvicorn --log-config` with a `root` section, a test runner, or an earlier call
    set it up), and so is any level a logger was given.
    """
    for name in CLIENT_NOISE:
        noisy = logging.getLogger(name)
        if noisy.level == logging.NOTSET:
            noisy.setLevel(logging.ERROR)
    root = logging.getLogger()
    if root.handlers:
        return
    # Imported here: a process whose logging is set up (the tests') never needs it.
    from uvicorn.logging import DefaultFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(DefaultFormatter(FORMAT))
    root.addHandler(handler)
    package = logging.getLogger(PACKAGE)
    if package.level == logging.NOTSET:
        package.setLevel(logging.INFO)
