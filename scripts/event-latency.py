#!/usr/bin/env python3
"""Event latency of SirenOrder on a running local stack: from `POST /orders` reaching the stack to
the customer's waiting-number notification published on NotificationsTopic, and where the time
goes, hop by hop.

    cargo run -p devstack -- up systems/siren-order --fresh --release
    python3 scripts/event-latency.py [ORDERS] [PAUSE_MS]     # default 200 orders, 200 ms apart

Orders are placed one at a time (PAUSE_MS apart, so each meets an idle pipeline). For each, the
local stack's trace of the order (`GET /_devstack/traces/{orderId}`: every invocation on its path
with start and duration, and the messages published in its trace) gives the notification's
offset from the start of PlaceOrder, measured inside the stack (no polling error), and the
start and duration of each function on the chain. Prints p50/p95/p99/max and a table per hop:
when it starts (median offset from the request) and how long it runs. Five warm-up orders first.
Standard library only.
"""

import statistics
import sys
import time
import uuid

from localstack import API, CTL, call, token

CHAIN = [
    "PlaceOrderFunction",
    "OrderOutboxRelayFunction",
    "DeliveryOnOrderEventsFunction",
    "DeliveryOutboxRelayFunction",
    "NotificationOnEventsFunction",
    "NotificationRelayFunction",
]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    pause = (int(sys.argv[2]) if len(sys.argv) > 2 else 200) / 1000
    run = uuid.uuid4().hex[:8]
    owner = token({"groups": ["owner"]})
    customer = token({"sub": f"auth0|latency-{run}"})
    status, product = call("POST", f"{API}/products", owner, {"name": f"Latency {run}", "price": 4500})
    assert status == 201, (status, product)
    body = {"items": [{"productId": product["productId"], "quantity": 1}]}
    # Warm-up: the first orders meet cold functions; they are placed but not counted.
    for n in range(5):
        status, reply = call("POST", f"{API}/orders", customer, body, {"idempotency-key": f"warm-{run}-{n}"})
        assert status == 201, (status, reply)
        time.sleep(0.5)
    placed = []
    for n in range(orders):
        status, reply = call("POST", f"{API}/orders", customer, body, {"idempotency-key": f"latency-{run}-{n}"})
        assert status == 201, (status, reply)
        placed.append(reply["orderId"])
        time.sleep(pause)
    time.sleep(2)

    totals, waits, durations, missing = [], {f: [] for f in CHAIN}, {f: [] for f in CHAIN}, 0
    for order_id in placed:
        status, path = call("GET", f"{CTL}/_devstack/traces/{order_id}")
        assert status == 200, (status, path)
        told = [
            m
            for m in path["messages"]
            if m["topic"] == "NotificationsTopic" and m.get("eventType") == "OrderWaited" and m.get("offsetMs")
        ]
        hops = {}
        for hop in path["hops"]:
            hops.setdefault(hop["function"], hop)
        if not told or any(f not in hops for f in CHAIN):
            missing += 1
            continue
        totals.append(told[0]["offsetMs"])
        for function in CHAIN:
            waits[function].append(hops[function]["startOffsetMs"])
            durations[function].append(hops[function]["durationMs"])

    if not totals:
        print(f"no complete path among {orders} orders")
        sys.exit(1)
    print(
        f"POST /orders -> waiting-number notification, {len(totals)} orders ({missing} without a complete path): "
        f"p50 {percentile(totals, 50):.0f} ms, p95 {percentile(totals, 95):.0f} ms, "
        f"p99 {percentile(totals, 99):.0f} ms, max {max(totals):.0f} ms"
    )
    print(f"{'hop':34s} {'starts at (p50 ms)':>19s} {'duration (p50 ms)':>18s} {'duration (p99 ms)':>18s}")
    for function in CHAIN:
        print(
            f"{function:34s} {statistics.median(waits[function]):19.1f} {statistics.median(durations[function]):18.1f} "
            f"{percentile(durations[function], 99):18.1f}"
        )
    print(
        f"{'notification published':34s} {statistics.median(totals):19.1f}   "
        "(a hop starts before the previous one ends: a relay publishes, then marks the item)"
    )


if __name__ == "__main__":
    main()
