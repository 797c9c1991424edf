#!/usr/bin/env python3
"""Init time of a Lambda function binary, measured on this machine.

Starts a stand-in Lambda runtime API on 127.0.0.1 (only GET .../runtime/invocation/next is
answered, and only to time it), runs the binary N times with AWS_LAMBDA_RUNTIME_API pointing
at it, and reports the time from process start to the binary's first `/next` poll: what
Lambda bills as the init phase (reading the configuration, building the SDK clients, starting
the runtime), minus the download of the code. The binary must be built for this machine's
architecture (arm64 binaries cannot run here; build the same profile for the host).

Usage: scripts/init-time.py BINARY[,BINARY...] [RUNS] [NAME=VALUE ...]  (extra environment
variables, e.g. the function's table names). Prints min / median / max in milliseconds. With
several binaries (say `target/release/hello-world,target/release/place-order`) the runs
alternate between them, so that a change in the machine's load over the run (other processes,
CPU frequency) weighs on each alike, and each median is also given as a ratio of the first's.
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
    binaries = sys.argv[1].split(",")
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
    times = {binary: [] for binary in binaries}
    for _ in range(runs):
        for binary in binaries:
            times[binary].append(init_once(binary, env))
    first = statistics.median(times[binaries[0]])
    for binary in binaries:
        median = statistics.median(times[binary])
        ratio = f", {median / first:.2f}x {os.path.basename(binaries[0])}" if len(binaries) > 1 else ""
        print(
            f"{os.path.basename(binary)}: {runs} runs, init (start to first /next) min {min(times[binary]):.1f} ms, "
            f"median {median:.1f} ms, max {max(times[binary]):.1f} ms{ratio}"
        )


def init_once(binary, env):
    """Starts `binary`, waits for its first /next poll, kills it; milliseconds from start to poll."""
    polled.clear()
    start = time.perf_counter()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not polled.wait(10):
        process.kill()
        sys.exit(f"{binary} did not poll /next within 10 s: {process.stderr.read().decode()[-2000:]}")
    took = (time.perf_counter() - start) * 1000
    process.kill()
    process.wait()
    return took


if __name__ == "__main__":
    main()
