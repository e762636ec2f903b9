"""Helpers shared by the end-to-end suites: free loopback ports, and child servers that
die with the test process however it dies."""
import ctypes
import signal
import socket


def die_with_parent():
    """In the child: receive SIGKILL when the test process dies, however it dies (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
