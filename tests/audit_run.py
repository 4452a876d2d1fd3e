"""Run a script with a socket audit hook: every connection to a non-loopback address is
appended to LOGFILE. Usage: python tests/audit_run.py LOGFILE SCRIPT [ARGS...]"""

import ipaddress
import runpy
import sys

log_path, script, *args = sys.argv[1:]


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return True
    host = address[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _hook(event, hook_args):
    if event == "socket.connect" and not _is_loopback(hook_args[1]):
        with open(log_path, "a") as log:
            log.write(f"{event} {hook_args[1]!r}\n")
    elif event == "socket.getaddrinfo" and hook_args[0] not in ("localhost", "127.0.0.1", "::1", None, b"localhost"):
        with open(log_path, "a") as log:
            log.write(f"{event} {hook_args[0]!r}\n")


sys.addaudithook(_hook)
sys.argv = [script, *args]
runpy.run_path(script, run_name="__main__")
