#!/usr/bin/env python3
"""Init time of a Lambda function binary, measured on this machine.

Starts a stand-in Lambda runtime API on 127.0.0.1 (only GET .../runtime/invocation/next is
answered, and only to time it), runs the binary N times with AWS_LAMBDA_RUNTIME_API pointing
at it, and reports the time from process start to the binary's first `/next` poll: what
Lambda bills as the init phase (reading the configuration, building the SDK clients, starting
the runtime), minus the download of the code. The binary must be built for this machine's
architecture (arm64 binaries cannot run here; build the same profile for the host).

Usage: scripts/init-time.py BINARY [RUNS] [NAME=VALUE ...]  (extra environment variables,
e.g. the function's table names). Prints min / median / max in milliseconds.
"""

import http.server
import os
import statistics
import subprocess
import sys
import threading
import time

polled = threading.Event()


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.endswith("/runtime/invocation/next"):
            polled.set()
        # Hold the poll open like Lambda does between invocations; the process is killed.
        time.sleep(5)

    def log_message(self, *args):
        pass


def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    extra = dict(arg.split("=", 1) for arg in sys.argv[3:])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_port}",
        "AWS_LAMBDA_FUNCTION_NAME": "init-time",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": "init-time",
        "AWS_LAMBDA_LOG_STREAM_NAME": "init-time",
        "AWS_REGION": "ap-northeast-2",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_EC2_METADATA_DISABLED": "true",
        "RUST_LOG": "info",
        **extra,
    }
    times = []
    for _ in range(runs):
        polled.clear()
        start = time.perf_counter()
        process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not polled.wait(10):
            process.kill()
            sys.exit(f"{binary} did not poll /next within 10 s: {process.stderr.read().decode()[-2000:]}")
        times.append((time.perf_counter() - start) * 1000)
        process.kill()
        process.wait()
    print(
        f"{os.path.basename(binary)}: {runs} runs, init (start to first /next) "
        f"min {min(times):.1f} ms, median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )


if __name__ == "__main__":
    main()
