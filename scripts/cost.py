#!/usr/bin/env python3
"""What one SirenOrder order costs on AWS, counted by the local stack (issue 15, item 6).

    cargo run -p devstack -- up systems/siren-order --fresh --meter-dynamodb [--release]
    [COST_BUILD=release] python3 scripts/cost.py [ORDERS] [CLIENTS]   # default 300 orders, 4 customers

COST_BUILD names the stack's build in the written doc (the meter cannot tell): `release` when
the stack runs `--release`, which gives the real GB-seconds; `debug` (the default) makes them an
upper bound.

The local stack meters what AWS would bill (`GET /_devstack/usage`, crates/devstack/src/usage.rs):
Lambda invocations and billed milliseconds per function with its MemorySize, stdout bytes (log
ingestion), HTTP API requests, DynamoDB read and write request units per table (the embedded
DynamoDB's ConsumedCapacity, read through a metering proxy), SNS publishes and the SQS requests an
event source mapping makes. The script sets up a product and CLIENTS customers (not counted per
order: a customer registers once), resets the meter, then has the customers place ORDERS orders
the way the app does (POST /orders with an idempotency key; the customer looks at the order once,
GET /orders/{id}, which shows the waiting number; the counter completes its delivery, PATCH
/deliveries/{id}), waits until the stack is quiet (no invocation for QUIET seconds), reads the
meter, divides by ORDERS, prices it with the list prices below, prints the table and writes
docs/cost.md. Scheduled sweeps (one relay invocation per minute each, whatever the traffic) are
taken out of the per-order figures and priced per month. Standard library only.
"""

import datetime
import math
import os
import sys
import threading
import time
import uuid

from localstack import API, CTL, call, token

QUIET = 4  # seconds without a new (unscheduled) invocation: the downstream effects are done
# AWS list prices, us-east-1, as of 2026-11-22 (see PRICE_NOTES for what was checked where).
PRICES = {
    "lambda_request": 0.20 / 1e6,  # per request
    "lambda_gb_s": 0.0000133334,  # per GB-second, arm64, first 7.5 billion GB-s a month
    "api_request": 1.00 / 1e6,  # HTTP API, per request, first 300 million a month
    "ddb_wru": 0.625 / 1e6,  # on-demand, per write request unit (standard table class)
    "ddb_rru": 0.125 / 1e6,  # on-demand, per read request unit
    "sns_publish": 0.50 / 1e6,  # per publish request (64 KB chunk); deliveries to SQS are free
    "sqs_request": 0.40 / 1e6,  # standard queue, per request (64 KB chunk), after the free 1 million
    "logs_gb": 0.50,  # CloudWatch Logs ingestion per GB (standard; Lambda logs' first tier)
}
# Log bytes the meter cannot see: Lambda's own JSON platform records (platform.start and
# platform.report with X-Ray tracing, SystemLogLevel INFO) per invocation, and the HTTP API's JSON
# access log line per request (the template's AccessLogSettings format). Estimates, named as such.
PLATFORM_LOG_BYTES = 650
ACCESS_LOG_BYTES = 420
SWEEP_PERIOD_MINUTES = 1  # the template's OutboxSweepSchedule default, rate(1 minute)
MINUTES_A_MONTH = 730 * 60
KEPT = "<!-- Written by hand below this line; scripts/cost.py keeps it when it rewrites the figures above. -->"


def usage(method="GET"):
    status, body = call(method, f"{CTL}/_devstack/usage")
    assert status == 200, (status, body)
    return body


def unscheduled_invocations(counts):
    return sum(f["invocations"] - f["scheduledInvocations"] for f in counts["functions"].values())


def wait_quiet():
    """Waits until no unscheduled invocation started for QUIET seconds; the meter then."""
    last, since = None, time.monotonic()
    while True:
        counts = usage()
        seen = (unscheduled_invocations(counts), counts["sqs"]["receiveRequests"], counts["sns"]["publishRequests"])
        if seen != last:
            last, since = seen, time.monotonic()
        elif time.monotonic() - since >= QUIET:
            return counts
        time.sleep(0.5)


def in_parallel(clients, work):
    """Runs work(client_index) on `clients` threads; re-raises the first failure."""
    errors = []

    def run(index):
        try:
            work(index)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def place_orders(orders, clients, run):
    if not usage().get("dynamodbMetered"):
        sys.exit("the stack does not meter DynamoDB: start it with `devstack up ... --meter-dynamodb`")
    owner = token({"groups": ["owner"]})
    barista = token({"groups": ["barista"]})
    status, product = call("POST", f"{API}/products", owner, {"name": f"Cost {run}", "price": 4500})
    assert status == 201, (status, product)
    wait_quiet()
    usage("DELETE")
    customers = []
    for n in range(clients):
        sub = f"auth0|cost-{run}-{n}"
        customer = token({"sub": sub})
        body = {"customerId": sub, "name": f"Cost {n}", "email": f"cost-{run}-{n}@example.com"}
        status, reply = call("POST", f"{API}/customers", customer, body)
        assert status == 201, (status, reply)
        customers.append(customer)
    signup = wait_quiet()
    usage("DELETE")
    reset_at = time.monotonic()

    order_ids = [None] * orders
    item = {"items": [{"productId": product["productId"], "quantity": 1}]}

    def order(client):
        for n in range(client, orders, clients):
            key = {"idempotency-key": f"cost-{run}-{n}"}
            for _ in range(10):
                status, reply = call("POST", f"{API}/orders", customers[client], item, key)
                if status != 503:
                    break
                # The menu did not answer in time (cold or busy functions): the app tries again
                # with the same key; the retry is counted like any request.
                retries[0] += 1
                time.sleep(1)
            assert status == 201, (status, reply)
            order_ids[n] = reply["orderId"]

    retries = [0]
    started = time.monotonic()
    in_parallel(clients, order)
    wait_quiet()

    def complete(client):
        for n in range(client, orders, clients):
            while True:
                status, reply = call("GET", f"{API}/orders/{order_ids[n]}", customers[client])
                assert status == 200, (status, reply)
                if reply.get("deliveryId"):
                    break
                retries[0] += 1
                time.sleep(0.5)
            path = f"{API}/deliveries/{reply['deliveryId']}"
            status, done = call("PATCH", path, barista, {"status": "Completed"})
            assert status == 200, (status, done)

    in_parallel(clients, complete)
    counts = wait_quiet()
    elapsed = time.monotonic() - started
    # The sweeps run on their schedule whatever the traffic: a run shorter than its period
    # saw none of them, so wait out a period (and a margin) since the reset, then read again.
    left = SWEEP_PERIOD_MINUTES * 60 + 5 - (time.monotonic() - reset_at)
    if left > 0:
        time.sleep(left)
        counts = usage()
    # Checked after the meter was read, so the checks are not counted.
    completed = 0
    for n, order_id in enumerate(order_ids):
        status, reply = call("GET", f"{API}/orders/{order_id}", customers[n % clients])
        completed += status == 200 and reply.get("status") == "Completed"
    return counts, signup, completed, elapsed, retries[0]


def lines(counts, orders):
    """[(service, what, quantity per order, cost per order)], per order, scheduled sweeps excluded."""
    rows = []
    requests = gb_s = log_bytes = 0.0
    for function, f in counts["functions"].items():
        invocations = f["invocations"] - f["scheduledInvocations"]
        billed = f["billedMs"] - f["scheduledBilledMs"]
        requests += invocations
        gb_s += f["memoryMb"] / 1024 * billed / 1000
        log_bytes += f["logBytes"] + PLATFORM_LOG_BYTES * invocations
    api = counts["api"]["requests"]
    log_bytes += ACCESS_LOG_BYTES * api
    wru = sum(t["writeUnits"] for t in counts["dynamodb"].values())
    rru = sum(t["readUnits"] for t in counts["dynamodb"].values())
    sns = counts["sns"]["billedRequests"]
    sqs = counts["sqs"]["receiveRequests"] + counts["sqs"]["deleteBatches"] + counts["sqs"]["sendsFromSns"]
    for service, what, quantity, price in [
        ("Lambda", "requests", requests, PRICES["lambda_request"]),
        ("Lambda", "GB-seconds (arm64)", gb_s, PRICES["lambda_gb_s"]),
        ("API Gateway", "HTTP API requests", api, PRICES["api_request"]),
        ("DynamoDB", "write request units", wru, PRICES["ddb_wru"]),
        ("DynamoDB", "read request units", rru, PRICES["ddb_rru"]),
        ("SNS", "publish requests", sns, PRICES["sns_publish"]),
        ("SQS", "requests (receive, delete batch, SNS send)", sqs, PRICES["sqs_request"]),
        ("CloudWatch Logs", "GB ingested", log_bytes / 1e9, PRICES["logs_gb"]),
    ]:
        rows.append((service, what, quantity / orders, quantity / orders * price))
    return rows


def table(rows):
    total = sum(r[3] for r in rows)
    out = [
        "| service | what | per order | $ per million orders | share |",
        "|---|---|---:|---:|---:|",
    ]
    for service, what, quantity, cost in sorted(rows, key=lambda r: -r[3]):
        shown = f"{quantity:.6f}" if quantity < 0.01 else f"{quantity:.3f}"
        out.append(f"| {service} | {what} | {shown} | {cost * 1e6:.2f} | {cost / total:.0%} |")
    out.append(f"| **total** | | | **{total * 1e6:.2f}** | 100% |")
    return out, total


def details(counts, orders):
    out = [
        "| function | MB | invocations per order | billed ms per order | GB-s per order | log bytes per order |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, f in sorted(counts["functions"].items(), key=lambda kv: -(kv[1]["billedMs"] * kv[1]["memoryMb"])):
        invocations = f["invocations"] - f["scheduledInvocations"]
        billed = f["billedMs"] - f["scheduledBilledMs"]
        if invocations == 0:
            continue
        out.append(
            f"| {name} | {f['memoryMb']} | {invocations / orders:.3f} | {billed / orders:.1f} | "
            f"{f['memoryMb'] / 1024 * billed / 1000 / orders:.5f} | {f['logBytes'] / orders:.0f} |"
        )
    out += ["", "| table | write units per order | read units per order | writes | reads | refused conditions |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, t in sorted(counts["dynamodb"].items(), key=lambda kv: -kv[1]["writeUnits"]):
        out.append(
            f"| {name} | {t['writeUnits'] / orders:.2f} | {t['readUnits'] / orders:.2f} | "
            f"{t['writeRequests'] / orders:.2f} | {t['readRequests'] / orders:.2f} | {t['failedConditionalWrites']} |"
        )
    return out


def sweeps(counts, seconds):
    """Scheduled invocations: $ a month at the template's sweep rate (fixed, not per order)."""
    relays = [f for f in counts["functions"].values() if f["scheduledInvocations"]]
    ms = [f["scheduledBilledMs"] / f["scheduledInvocations"] for f in relays]
    per_month = sum(
        MINUTES_A_MONTH / SWEEP_PERIOD_MINUTES * (PRICES["lambda_request"] + f["memoryMb"] / 1024 * m / 1000 * PRICES["lambda_gb_s"])
        for f, m in zip(relays, ms)
    )
    return len(relays), per_month


def main():
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    run = uuid.uuid4().hex[:8]
    counts, signup, completed, elapsed, retries = place_orders(orders, clients, run)
    rows = lines(counts, orders)
    cost_table, total = table(rows)
    signup_rows = lines(signup, clients)
    signup_total = sum(r[3] for r in signup_rows)
    relays, sweep_month = sweeps(counts, elapsed)
    cold = sum(f["coldStarts"] for f in counts["functions"].values())
    build = os.environ.get("COST_BUILD", "debug")
    print("\n".join(cost_table))
    print(f"{completed}/{orders} orders completed; {retries} retried requests (503 or no delivery yet)")
    print(f"signup: ${signup_total * 1e6:.2f} per million customers; sweeps: ${sweep_month:.2f} a month ({relays} relays)")

    drivers = sorted(rows, key=lambda r: -r[3])[:3]
    today = datetime.date.today().isoformat()
    doc = [
        "# What one SirenOrder order costs on AWS, counted",
        "",
        f"Counted by the local stack on {today}: `{'COST_BUILD=release ' if build == 'release' else ''}python3 scripts/cost.py {orders} {clients}` against",
        f"`cargo run -p devstack -- up systems/siren-order --fresh --meter-dynamodb{' --release' if build == 'release' else ''}`"
        f" ({build} functions). {orders} orders by {clients} customers at once; each order is placed",
        "(`POST /orders` with an idempotency key), looked at once by its customer (`GET /orders/{id}`, the",
        "waiting number), and completed by the counter (`PATCH /deliveries/{id}`); the meter was read when",
        f"the stack had been quiet for {QUIET} s and a sweep period had passed. {completed} of {orders} orders were `Completed` afterwards;",
        f"{retries} requests were repeated (a `POST /orders` answered 503 while the menu was slow, or a",
        "`GET /orders/{id}` before its delivery existed); they are counted, as AWS would bill them.",
        f"Cold starts in the run: {cold} (their init time is billed and counted).",
        "",
        "## Per order, and per million orders",
        "",
        *cost_table,
        "",
        "The issue's earlier estimate was **$63 per million** (DynamoDB writes 61 %); the goal is **under $25**.",
        f"Counted: **${total * 1e6:.2f} per million orders**"
        + (" (goal met)." if total * 1e6 < 25 else " (goal not met: see what would cut it)."),
        "Biggest drivers: " + ", ".join(f"{s} {w} ({c / total:.0%})" for s, w, _, c in drivers) + ".",
        "",
        "Not per order, and not in the total:",
        f"- signing a customer up (`POST /customers` and what follows): ${signup_total * 1e6:.2f} per million customers;",
        f"- the outbox sweeps: {relays} relay functions invoked every {SWEEP_PERIOD_MINUTES} minute whatever the",
        f"  traffic, about ${sweep_month:.2f} a month (their DynamoDB queries, 0.5 read unit or so each, are in the",
        "  table counts below, a few per run);",
        "- idle SQS polling: an AWS event source mapping long-polls each queue with about 5 pollers, 20 s",
        "  each: about 5 x 3 x 60 x 730 = 657,000 empty receives a month per queue, $0.26 a month per queue;",
        "- X-Ray (`Tracing: Active`): $5.00 per million traces recorded beyond the free 100,000 a month, after",
        "  sampling (by default the first request each second and 5 % of the rest): not counted here.",
        "",
        "## Where it goes",
        "",
        *details(counts, orders),
        "",
        "## How it is counted",
        "",
        "The local stack meters every run (`GET /_devstack/usage`, `DELETE` to read and reset;",
        "`crates/devstack/src/usage.rs`):",
        "- **Lambda**: each invocation's duration plus its init time (a `provided.al2023` function's init",
        "  is billed), rounded up to 1 ms, times the function's `MemorySize` from the template; requests",
        f"  are invocations. {build.capitalize()} functions: "
        + ("GB-seconds are release figures." if build == "release"
           else "GB-seconds are an upper bound (a release build runs several times faster); requests, units and bytes do not depend on the build."),
        "- **API Gateway**: every request the HTTP API received.",
        "- **DynamoDB**: the functions reach the embedded DynamoDB through a metering proxy that asks for",
        "  `ReturnConsumedCapacity: TOTAL` and adds up the `ConsumedCapacity` of each answer (dynoxide",
        "  computes it as DynamoDB does: item size rounded up to 1 KB for writes and 4 KB for reads,",
        "  transactions twice, index writes included); on-demand bills one request unit per capacity unit.",
        "  A write refused by its condition counts 1 write unit. The event source mappings' stream reads",
        "  are free on AWS and not counted.",
        "- **SNS**: successful `Publish`/`PublishBatch` calls, one billed request per 64 KB of body.",
        "  Deliveries to SQS are free on the SNS side.",
        "- **SQS**: what an AWS event source mapping calls for the messages it delivered: one",
        "  `ReceiveMessage` per batch and one `DeleteMessageBatch` per batch, plus the `SendMessage` SNS makes",
        "  for each delivery to a queue (counted as an SQS request, the cautious reading).",
        "- **CloudWatch Logs**: each function's stdout lines plus a newline, counted; plus estimates the",
        f"  meter cannot see: {PLATFORM_LOG_BYTES} bytes per invocation of Lambda's JSON platform records",
        f"  (`platform.start`, `platform.report` with tracing) and {ACCESS_LOG_BYTES} bytes per HTTP API access log line.",
        "",
        "## Prices (AWS list prices, us-east-1, on-demand, no free tier)",
        "",
        "| item | price |",
        "|---|---|",
        "| Lambda requests | $0.20 per million |",
        "| Lambda duration, arm64 | $0.0000133334 per GB-second |",
        "| API Gateway HTTP API | $1.00 per million requests (first 300 million a month) |",
        "| DynamoDB on-demand writes | $0.625 per million write request units |",
        "| DynamoDB on-demand reads | $0.125 per million read request units |",
        "| SNS publishes | $0.50 per million requests (64 KB each); SNS to SQS deliveries free |",
        "| SQS standard | $0.40 per million requests (64 KB each) |",
        "| CloudWatch Logs ingestion | $0.50 per GB |",
        "",
        KEPT,
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "cost.md")
    # What follows KEPT in the existing file (the analysis, written by hand) is kept.
    kept = ""
    if os.path.exists(path):
        old = open(path).read()
        if KEPT in old:
            kept = old.split(KEPT, 1)[1]
    with open(path, "w") as out:
        out.write("\n".join(doc) + (kept or "\n"))
    print(f"written {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
