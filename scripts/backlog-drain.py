#!/usr/bin/env python3
"""Backlog drain of SirenOrder on a running local stack: how fast a backlog of orders becomes
waiting-number tickets, and whether every order got exactly one.

Start the stack first, with the sweep's grace long enough that the sweep does not publish the
backlog while it builds up:

    cargo run -p devstack -- up systems/siren-order --fresh [--release] \
        --parameter OutboxSweepGraceSeconds=3600
    python3 scripts/backlog-drain.py [ORDERS] [CLIENTS]      # default 2000 orders, 8 clients

It disables the order table's relay (OrderOutboxRelayFunction's stream mapping), places ORDERS
orders over HTTP (a unique Idempotency-Key each), enables the relay and times the drain until
every order is Waiting (the order context's PlacedToWaitingMs metric, one per order, from the
local stack's metric log: at most 10,000 orders). It prints the drain rate per tenth of the
backlog (a rate that falls as history grows shows there) and then the exactly-once check from
the counter's queue (GET /deliveries?status=Waiting): one ticket per order, waiting numbers
all different. Standard library only.
"""

import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from localstack import API, CTL, call, token


def mappings(function, action):
    status, body = call("POST", f"{CTL}/_devstack/functions/{function}/event-source-mappings/{action}")
    assert status == 200, (status, body)


def waiting_tickets(barista):
    tickets, next_token = [], None
    while True:
        url = f"{API}/deliveries?status=Waiting&limit=500"
        if next_token:
            url += "&nextToken=" + urllib.request.quote(next_token)
        status, body = call("GET", url, barista)
        assert status == 200, (status, body)
        tickets.extend(body["deliveries"])
        next_token = body.get("nextToken")
        if not next_token:
            return tickets


def main():
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    run = uuid.uuid4().hex[:8]
    owner, barista = token({"groups": ["owner"]}), token({"groups": ["barista"]})
    customer_id = f"auth0|drain-{run}"
    customer = token({"sub": customer_id})
    status, product = call("POST", f"{API}/products", owner, {"name": f"Drain {run}", "price": 4500})
    assert status == 201, (status, product)
    before = len(waiting_tickets(barista))

    mappings("OrderOutboxRelayFunction", "disable")
    body = {"items": [{"productId": product["productId"], "quantity": 1}]}

    def place(n):
        return call("POST", f"{API}/orders", customer, body, {"idempotency-key": f"drain-{run}-{n}"})

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        replies = list(pool.map(place, range(orders)))
    placing = time.monotonic() - started
    placed = {reply["orderId"] for status, reply in replies if status == 201}
    refused = [r for r in replies if r[0] != 201]
    print(f"placed {len(placed)} orders in {placing:.1f} s ({len(placed) / placing:.1f}/s), {len(refused)} refused")
    if refused:
        print("  first refusal:", refused[0])

    # Progress from the order context's PlacedToWaitingMs metric (one per order, when the
    # ticket's OrderWaited reached the order: the whole loop), read from the local stack's
    # metric log; reading the counter's queue over and over would load the stack it measures.
    def waited():
        status, body = call("GET", f"{CTL}/_devstack/metrics?name=PlacedToWaitingMs")
        assert status == 200, (status, body)
        return sorted(m["timestampMs"] / 1000 for m in body if m["timestampMs"] / 1000 >= enabled_at)

    enabled_at = time.time()
    mappings("OrderOutboxRelayFunction", "enable")
    stalled_since, last_count = time.monotonic(), -1
    while True:
        done = waited()
        if len(done) >= len(placed):
            break
        if len(done) != last_count:
            stalled_since, last_count = time.monotonic(), len(done)
        elif time.monotonic() - stalled_since > 120:
            print(f"no progress for 120 s at {len(done)} of {len(placed)}")
            break
        time.sleep(1)
    elapsed = (done[-1] - enabled_at) if done else float("nan")
    print(f"drained {len(done)} of {len(placed)} orders in {elapsed:.1f} s: {len(done) / elapsed:.1f} orders/s")
    previous_time = 0.0
    for tenth in range(1, 11):
        count = len(placed) * tenth // 10
        if count == 0 or count > len(done):
            break
        at = done[count - 1] - enabled_at
        span = at - previous_time
        rate = (len(placed) / 10) / span if span > 0 else float("inf")
        print(f"  {tenth * 10:3d}% at {at:7.1f} s  ({rate:7.1f} orders/s in this tenth)")
        previous_time = at
    tickets = [t for t in waiting_tickets(barista) if t.get("orderId") in placed]
    numbers = [t.get("waitingNumber") for t in tickets]
    per_order = {}
    for t in tickets:
        per_order[t["orderId"]] = per_order.get(t["orderId"], 0) + 1
    twice = sum(1 for n in per_order.values() if n > 1)
    print(
        f"exactly once: {len(tickets)} tickets for {len(placed)} orders, "
        f"{len(placed) - len(per_order)} orders without a ticket, {twice} with more than one, "
        f"{len(numbers) - len(set(numbers))} repeated waiting numbers (queue held {before} before)"
    )
    ok = len(per_order) == len(placed) and twice == 0 and len(numbers) == len(set(numbers))
    print("drain passed" if ok else "drain FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
