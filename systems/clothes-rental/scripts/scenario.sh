#!/usr/bin/env bash
# The spec scenario, steps 1-7, over HTTP with curl against a running local stack
# (`cargo run -p devstack -- up systems/clothes-rental --fresh` from the repository root). Needs
# curl and python3. The customer's token subject is opaque (`auth0|...`), as an external
# issuer's is. Each step prints what it checks and how long the effect took; the script stops at
# the first surprise. Step 6 uses the local stack's fault endpoint to make delivery's cancel slow.
set -euo pipefail
API=${API:-http://127.0.0.1:3000}
CTL=${CTL:-http://127.0.0.1:3001}

json() { python3 -c "import sys, json; d = json.load(sys.stdin); print(d$1)"; }
expect() { [[ "$2" == "$3" ]] || { echo "FAILED: $1: expected $3, got $2" >&2; exit 1; }; echo "ok: $1 = $2"; }
token() { curl -sf -X POST "$CTL/_devstack/tokens" -H 'content-type: application/json' -d "$1" | json "['token']"; }
call() { # call TOKEN METHOD PATH [BODY] -> prints "STATUS BODY"
  local out; out=$(curl -s -w '\n%{http_code}' -X "$2" "$API$3" -H "authorization: Bearer $1" \
    -H 'content-type: application/json' ${4:+-d "$4"} ${KEY:+-H "idempotency-key: $KEY"})
  echo "$out" | tail -n1; echo "$out" | sed '$d'
}
status() { head -n1 <<<"$1"; }
body() { sed 1d <<<"$1"; }
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
# until DESCRIPTION COMMAND...: runs COMMAND every 50 ms until it succeeds (10 s at most), and
# prints how long that took.
until_ok() {
  local what=$1; shift; local start; start=$(now_ms)
  for _ in $(seq 1 200); do
    if "$@" >/dev/null 2>&1; then echo "ok: $what after $(( $(now_ms) - start )) ms"; return 0; fi
    sleep 0.05
  done
  echo "FAILED: $what (10 s)" >&2; exit 1
}
mails() { curl -s "$CTL/_devstack/sns-messages?topic=NotificationsTopic" | python3 -c "
import sys, json
print('\n'.join(m['attributes']['eventType'] for m in json.load(sys.stdin) if m['attributes'].get('customerId') == sys.argv[1]))" "$A"; }
mail_count() { mails | grep -cx "$1" || true; }
has_mail() { [[ $(mail_count "$1") -ge $2 ]]; }
queue() { body "$(call "$TEAM" GET "/deliveries?kind=$1&status=$2&limit=500")"; }
in_queue() { queue "$1" "$2" | grep -q "\"orderId\":\"$3\""; }
ticket_of() { queue "$1" "$2" | python3 -c "
import sys, json
print(next(t['deliveryId'] for t in json.load(sys.stdin)['deliveries'] if t['orderId'] == sys.argv[1]))" "$3"; }
mypage() { body "$(call "$CUSTOMER" GET "/mypages?limit=100")" | python3 -c "
import sys, json
rows = [r for r in json.load(sys.stdin)['mypages'] if r['orderId'] == sys.argv[1]]
print(rows[0]['$2'] if rows else '')" "$1"; }
mypage_is() { [[ "$(mypage "$1" "$2")" == "$3" ]]; }
order_is() { [[ "$(body "$(call "$CUSTOMER" GET "/orders/$1")" | json "['status']")" == "$2" ]]; }
fault() { curl -sf -X PUT "$CTL/_devstack/functions/CancelDeliveryFunction/fault" -H 'content-type: application/json' -d "$1" >/dev/null; }

TEAM=$(token '{"groups": ["deliveryTeam"]}')
RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:12])')
A="auth0|scenario-$RUN"   # the customer id is the token's sub, whatever its form
CUSTOMER=$(token '{"sub": "'"$A"'"}')

echo "== 1. customer A orders 1001 x 5"
R=$(KEY="first-$RUN" call "$CUSTOMER" POST /orders '{"productId": "1001", "qty": 5}')
expect "POST /orders" "$(status "$R")" 201
expect "status" "$(body "$R" | json "['status']")" Ordered
O1=$(body "$R" | json "['orderId']")

echo "== 2. within a second: the team's queue, the my page, the mail"
until_ok "a Received ticket for it" in_queue Delivery Received "$O1"
until_ok "my page shows Ordered / Received" mypage_is "$O1" deliveryStatus Received
expect "my page order status" "$(mypage "$O1" orderStatus)" Ordered
until_ok "one 'ordered' mail" has_mail OrderPlaced 1

echo "== 3. a second order, 1002 x 1, cancelled"
R=$(KEY="second-$RUN" call "$CUSTOMER" POST /orders '{"productId": "1002", "qty": 1}')
O2=$(body "$R" | json "['orderId']")
until_ok "its ticket" in_queue Delivery Received "$O2"
D2=$(ticket_of Delivery Received "$O2")
R=$(call "$CUSTOMER" POST "/orders/$O2/cancel")
expect "cancel" "$(status "$R")" 200
expect "cancelled" "$(body "$R" | json "['status']")" Cancelled
expect "its ticket is Cancelled" "$(ticket_of Delivery Cancelled "$O2")" "$D2"
until_ok "my page shows Cancelled" mypage_is "$O2" orderStatus Cancelled
expect "the team cannot ship it" "$(status "$(call "$TEAM" POST "/deliveries/$D2/ship")")" 409

echo "== 4. the team ships the first order"
D1=$(ticket_of Delivery Received "$O1")
expect "ship" "$(status "$(call "$TEAM" POST "/deliveries/$D1/ship")")" 200
until_ok "the order is Shipped" order_is "$O1" Shipped
until_ok "a 'shipped' mail" has_mail Shipped 1
expect "cancelling it now" "$(status "$(call "$CUSTOMER" POST "/orders/$O1/cancel")")" 409
expect "nothing changed" "$(body "$(call "$CUSTOMER" GET "/orders/$O1")" | json "['status']")" Shipped

echo "== 5. customer A returns it; the team collects it"
R=$(call "$CUSTOMER" POST "/orders/$O1/return")
expect "return" "$(status "$R")" 202
expect "status" "$(body "$R" | json "['status']")" ReturnRequested
until_ok "a Return ticket" in_queue Return Requested "$O1"
expect "collect" "$(status "$(call "$TEAM" POST "/deliveries/$(ticket_of Return Requested "$O1")/collect")")" 200
until_ok "the order is Returned" order_is "$O1" Returned
until_ok "my page shows Returned" mypage_is "$O1" orderStatus Returned
until_ok "a 'returned' mail" has_mail ReturnCollected 1
sleep 0.7
expect "six mails, none twice" "$(mails | sort | tr '\n' ' ')" "OrderCancelled OrderPlaced OrderPlaced ReturnCollected ReturnRequested Shipped "

echo "== 6. the circuit-breaker demo: delivery's cancel takes 650-720 ms, the timeout is 610 ms"
SLOW=()
for i in 1 2 3 4 5; do
  SLOW+=("$(body "$(KEY="slow-$i-$RUN" call "$CUSTOMER" POST /orders '{"productId": "1001", "qty": 1}')" | json "['orderId']")")
done
NEVER=$(body "$(KEY="never-$RUN" call "$CUSTOMER" POST /orders '{"productId": "1002", "qty": 1}')" | json "['orderId']")
for o in "${SLOW[@]}" "$NEVER"; do until_ok "ticket of $o" in_queue Delivery Received "$o"; done
for o in "${SLOW[@]}"; do
  fault '{"delayMs": '"$(( 650 + RANDOM % 71 ))"', "fail": false}'
  OUT=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -X POST "$API/orders/$o/cancel" -H "authorization: Bearer $CUSTOMER")
  echo "   cancel $o -> $OUT s"
  expect "slow cancel" "${OUT%% *}" 503
done
sleep 0.8
OUT=$(curl -s -D - -o /dev/null -w '%{http_code} %{time_total}' -X POST "$API/orders/$NEVER/cancel" -H "authorization: Bearer $CUSTOMER")
echo "   with the breaker open: $(tail -n1 <<<"$OUT") s, $(grep -i '^retry-after' <<<"$OUT" | tr -d '\r')"
expect "open breaker" "$(tail -n1 <<<"$OUT" | cut -d' ' -f1)" 503
for o in "${SLOW[@]}"; do until_ok "$o Cancelled through DeliveryCancelled" order_is "$o" Cancelled; done
expect "the order whose cancel never reached delivery" "$(body "$(call "$CUSTOMER" GET "/orders/$NEVER")" | json "['status']")" Ordered
fault '{"delayMs": 0, "fail": false}'
echo "   waiting out the breaker's open period (10 s)"
sleep 10
for o in "${SLOW[@]}" "$NEVER"; do
  expect "cancel $o after the cool-down" "$(status "$(call "$CUSTOMER" POST "/orders/$o/cancel")")" 200
done

echo "== 7. the catch-up demo: delivery and customercenter consumers stopped"
for f in DeliveryOnOrderEventsFunction MyPageOnEventsFunction; do
  curl -sf -X POST "$CTL/_devstack/functions/$f/event-source-mappings/disable" >/dev/null
done
LATE=()
for i in 1 2 3; do
  R=$(KEY="late-$i-$RUN" call "$CUSTOMER" POST /orders '{"productId": "1003", "qty": '"$i"'}')
  expect "order $i while they are stopped" "$(status "$R")" 201
  LATE+=("$(body "$R" | json "['orderId']")")
done
sleep 1.5
for o in "${LATE[@]}"; do
  expect "no ticket yet for $o" "$(in_queue Delivery Received "$o" && echo yes || echo no)" no
  expect "no my page row yet for $o" "$(mypage "$o" orderStatus)" ""
done
for f in DeliveryOnOrderEventsFunction MyPageOnEventsFunction; do
  curl -sf -X POST "$CTL/_devstack/functions/$f/event-source-mappings/enable" >/dev/null
done
for o in "${LATE[@]}"; do
  until_ok "the ticket of $o" in_queue Delivery Received "$o"
  until_ok "the my page row of $o" mypage_is "$o" orderStatus Ordered
  expect "one ticket of $o" "$(queue Delivery Received | grep -o "\"orderId\":\"$o\"" | wc -l | tr -d ' ')" 1
done

echo "== without a token: 401; a customer on the team's queue: 403"
expect "no token" "$(curl -s -o /dev/null -w '%{http_code}' "$API/orders/$O1")" 401
expect "wrong role" "$(status "$(call "$CUSTOMER" GET /deliveries)")" 403
echo "scenario passed"
