#!/usr/bin/env bash
# The spec scenario, steps 1-7, over HTTP with curl against a running local stack
# (`cargo run -p devstack -- up systems/food-delivery --fresh` from the repository root). Needs
# curl and python3. The customers' token subjects are opaque (`auth0|...`), as an external
# issuer's are. Each step prints what it checks and how long the effect took; the script stops at
# the first surprise. Step 6 uses the local stack's fault endpoint to make pay slow.
set -euo pipefail
API=${API:-http://127.0.0.1:3000}
CTL=${CTL:-http://127.0.0.1:3001}

json() { python3 -c "import sys, json; d = json.load(sys.stdin); print(d$1)"; }
expect() { [[ "$2" == "$3" ]] || { echo "FAILED: $1: expected $3, got $2" >&2; exit 1; }; echo "ok: $1 = $2"; }
token() { curl -sf -X POST "$CTL/_devstack/tokens" -H 'content-type: application/json' -d "$1" | json "['token']"; }
call() { # call TOKEN METHOD PATH [BODY] -> prints "STATUS BODY"
  local out; out=$(curl -s -w '\n%{http_code}' -X "$2" "$API$3" ${1:+-H "authorization: Bearer $1"} \
    -H 'content-type: application/json' ${4:+-d "$4"})
  echo "$out" | tail -n1; echo "$out" | sed '$d'
}
status() { head -n1 <<<"$1"; }
body() { sed 1d <<<"$1"; }
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
# until_ok DESCRIPTION COMMAND...: runs COMMAND every 50 ms until it succeeds (60 s at most), and
# prints how long that took.
until_ok() {
  local what=$1; shift; local start; start=$(now_ms)
  for _ in $(seq 1 1200); do
    if "$@" >/dev/null 2>&1; then echo "ok: $what after $(( $(now_ms) - start )) ms"; return 0; fi
    sleep 0.05
  done
  echo "FAILED: $what (60 s)" >&2; exit 1
}
events() { curl -s "$CTL/_devstack/sns-messages?topic=$1"; }
notifications() { events NotificationsTopic | python3 -c "
import sys, json
print('\n'.join(m['attributes']['eventType'] for m in json.load(sys.stdin) if m['attributes'].get('customerId') == sys.argv[1]))" "$1"; }
notified() { [[ $(notifications "$1" | grep -cx "$2" || true) -ge $3 ]]; }
# payment ORDER TYPE: the amount of the pay event TYPE (PaymentApproved, PaymentCancelled) of ORDER, if any.
payment() { events PaymentEventsTopic | python3 -c "
import sys, json
for m in json.load(sys.stdin):
    e = json.loads(m['message'])
    if e['type'] == sys.argv[2] and e['data']['orderId'] == sys.argv[1]: print(e['data']['amount'])" "$1" "$2"; }
has_payment() { [[ -n "$(payment "$1" "$2")" ]]; }
kitchen() { body "$(call "$STORE" GET "/store/orders?status=$1&limit=500")"; }
in_kitchen() { kitchen "$1" | grep -q "\"orderId\":\"$2\""; }
order_is() { [[ "$(body "$(call "$3" GET "/orders/$1")" | json "['status']")" == "$2" ]]; }
fault() { curl -sf -X PUT "$CTL/_devstack/functions/PayFunction/fault" -H 'content-type: application/json' -d "$1" >/dev/null; }

STORE=$(token '{"sub": "store|owner", "groups": ["store"]}')
RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:12])')
A="auth0|scenario-$RUN"   # the customer id is the token's sub, whatever its form
CUSTOMER=$(token '{"sub": "'"$A"'"}')

echo "== 1. the store adds chicken (18000) and pizza (22000), marks pizza SoldOut"
for item in chicken pizza; do
  S=$(status "$(call "$STORE" POST /menu '{"item": "'$item'", "price": 1}')")
  [[ "$S" == 201 || "$S" == 409 ]] || { echo "FAILED: POST /menu $item: $S" >&2; exit 1; }
done
expect "chicken at 18000" "$(status "$(call "$STORE" PATCH /menu/chicken '{"price": 18000, "status": "OnSale"}')")" 200
expect "pizza at 22000, SoldOut" "$(status "$(call "$STORE" PATCH /menu/pizza '{"price": 22000, "status": "SoldOut"}')")" 200
MENU=$(body "$(call "" GET /menu)")
expect "GET /menu has chicken at 18000" "$(python3 -c "import sys, json; print([i['price'] for i in json.loads(sys.argv[1])['items'] if i['item'] == 'chicken'])" "$MENU")" "[18000]"
expect "GET /menu has no pizza" "$(python3 -c "import sys, json; print([i for i in json.loads(sys.argv[1])['items'] if i['item'] == 'pizza'])" "$MENU")" "[]"

echo "== 2. pizza -> 422; the report's body {\"item\": \"chicken\"} -> 201 Paid 18000; quantity 2 -> 36000"
expect "pizza" "$(status "$(call "$CUSTOMER" POST /orders '{"item": "pizza"}')")" 422
START=$(now_ms)
R=$(call "$CUSTOMER" POST /orders '{"item": "chicken"}')
echo "   answered in $(( $(now_ms) - START )) ms"
expect "POST /orders" "$(status "$R")" 201
expect "status" "$(body "$R" | json "['status']")" Paid
expect "amount" "$(body "$R" | json "['amount']")" 18000
O1=$(body "$R" | json "['orderId']")
R=$(call "$CUSTOMER" POST /orders '{"item": "chicken", "quantity": 2}')
expect "quantity 2" "$(status "$R")" 201
expect "amount" "$(body "$R" | json "['amount']")" 36000
O2=$(body "$R" | json "['orderId']")

echo "== 3. within a second: the kitchen queue lists both, one notification each"
until_ok "the first in the kitchen queue" in_kitchen Received "$O1"
until_ok "the second in the kitchen queue" in_kitchen Received "$O2"
until_ok "two 'placed' notifications" notified "$A" OrderPlaced 2

echo "== 4. the store cooks the first order, then dispatches it"
expect "Cooking" "$(status "$(call "$STORE" PATCH "/store/orders/$O1" '{"status": "Cooking"}')")" 200
until_ok "the order is Cooking" order_is "$O1" Cooking "$CUSTOMER"
expect "cancelling it now" "$(status "$(call "$CUSTOMER" POST "/orders/$O1/cancel")")" 409
expect "Dispatched" "$(status "$(call "$STORE" PATCH "/store/orders/$O1" '{"status": "Dispatched"}')")" 200
until_ok "the order is Dispatched" order_is "$O1" Dispatched "$CUSTOMER"
until_ok "a 'dispatched' notification" notified "$A" DeliveryDispatched 1

echo "== 5. cancel the second order: refunded, its store order Cancelled"
R=$(call "$CUSTOMER" POST "/orders/$O2/cancel")
expect "cancel" "$(status "$R")" 200
expect "status" "$(body "$R" | json "['status']")" Cancelled
until_ok "its payment is Cancelled" has_payment "$O2" PaymentCancelled
expect "refunded" "$(payment "$O2" PaymentCancelled)" 36000
until_ok "its store order is Cancelled" in_kitchen Cancelled "$O2"

echo "== 6. the circuit-breaker demo: pay takes 650-720 ms, the timeout is 610 ms"
B="auth0|breaker-$RUN"; BUYER=$(token '{"sub": "'"$B"'"}')
for i in 1 2 3 4 5; do
  fault '{"delayMs": '"$(( 650 + RANDOM % 71 ))"', "fail": false}'
  OUT=$(curl -s -D - -o /dev/null -w '%{http_code} %{time_total}' -X POST "$API/orders" -H "authorization: Bearer $BUYER" \
    -H 'content-type: application/json' -d '{"item": "chicken"}')
  echo "   order $i -> $(tail -n1 <<<"$OUT") s, $(grep -i '^retry-after' <<<"$OUT" | tr -d '\r')"
  expect "slow payment" "$(tail -n1 <<<"$OUT" | cut -d' ' -f1)" 503
done
FAILED=$(body "$(call "$BUYER" GET /orders)" | python3 -c "import sys, json; print(' '.join(o['orderId'] for o in json.load(sys.stdin)['orders'] if o['status'] == 'PaymentFailed'))")
expect "five PaymentFailed orders" "$(wc -w <<<"$FAILED" | tr -d ' ')" 5
OUT=$(curl -s -D - -o /dev/null -w '%{http_code} %{time_total}' -X POST "$API/orders" -H "authorization: Bearer $BUYER" \
  -H 'content-type: application/json' -d '{"item": "chicken"}')
echo "   with the breaker open: $(tail -n1 <<<"$OUT") s, $(grep -i '^retry-after' <<<"$OUT" | tr -d '\r')"
expect "open breaker" "$(tail -n1 <<<"$OUT" | cut -d' ' -f1)" 503
expect "no order written while open" "$(body "$(call "$BUYER" GET /orders)" | json "['orders'].__len__()")" 5
settled() { ! has_payment "$1" PaymentApproved || has_payment "$1" PaymentCancelled; }
for o in $FAILED; do
  until_ok "no charge stands for $o (voided, or refused by the tombstone)" settled "$o"
  expect "no store order for $o" "$(in_kitchen Received "$o" && echo yes || echo no)" no
done
fault '{"delayMs": 0, "fail": false}'
echo "   waiting out the breaker's open period (10 s)"
sleep 10
R=$(call "$BUYER" POST /orders '{"item": "chicken"}')
expect "with pay back, after the cool-down" "$(status "$R")" 201

echo "== 7. the store consumer stopped: orders are still taken, and caught up once"
curl -sf -X POST "$CTL/_devstack/functions/StoreOnOrderEventsFunction/event-source-mappings/disable" >/dev/null
C="auth0|late-$RUN"; LATE_CUSTOMER=$(token '{"sub": "'"$C"'"}')
LATE=()
for i in 1 2 3; do
  R=$(call "$LATE_CUSTOMER" POST /orders '{"item": "chicken", "quantity": '"$i"'}')
  expect "order $i while the store is stopped" "$(status "$R")" 201
  LATE+=("$(body "$R" | json "['orderId']")")
done
until_ok "the customer is told of all three" notified "$C" OrderPlaced 3
for o in "${LATE[@]}"; do
  expect "no store order yet for $o" "$(in_kitchen Received "$o" && echo yes || echo no)" no
done
curl -sf -X POST "$CTL/_devstack/functions/StoreOnOrderEventsFunction/event-source-mappings/enable" >/dev/null
for o in "${LATE[@]}"; do
  until_ok "the store order of $o" in_kitchen Received "$o"
  expect "one store order of $o" "$(kitchen Received | grep -o "\"orderId\":\"$o\"" | wc -l | tr -d ' ')" 1
done

echo "== without a token: 401; a customer on the kitchen queue: 403"
expect "no token" "$(curl -s -o /dev/null -w '%{http_code}' "$API/orders/$O1")" 401
expect "wrong role" "$(status "$(call "$CUSTOMER" GET /store/orders)")" 403
echo "scenario passed"
