#!/usr/bin/env bash
# The spec scenario, steps 1-7, over HTTP with curl against a running local stack
# (`cargo run -p devstack` from the repository root, best with `-- up --fresh`). Needs curl and
# python3. The customer's token subject is opaque (`auth0|...`), as an external issuer's is.
# Each step prints what it checks; the script stops at the first surprise.
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

OWNER=$(token '{"groups": ["owner"]}')
BARISTA=$(token '{"groups": ["barista"]}')
RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:12])')
C="auth0|scenario-$RUN"   # the customer id is the token's sub, whatever its form
CUSTOMER=$(token '{"sub": "'"$C"'"}')
C_PATH=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$C")

echo "== 1. sign up"
R=$(call "$CUSTOMER" POST /customers '{"customerId": "'"$C"'", "name": "Kim Minji", "email": "minji-'"$RUN"'@example.com"}')
expect "customer id is the opaque sub" "$(body "$R" | json "['customerId']")" "$C"
expect "POST /customers" "$(status "$R")" 201
expect "welcome points" "$(body "$R" | json "['points']")" 1000
sleep 1
N=$(curl -s "$CTL/_devstack/sns-messages?topic=NotificationsTopic" | json "" | grep -cF "$C" || true)
expect "welcome notification sent" "$([[ $N -ge 1 ]] && echo yes)" yes

echo "== 2. the menu"
A=$(body "$(call "$OWNER" POST /products '{"name": "Americano", "price": 4500}')" | json "['productId']")
L=$(body "$(call "$OWNER" POST /products '{"name": "Latte", "price": 5000}')" | json "['productId']")
expect "Latte sold out" "$(body "$(call "$OWNER" PATCH "/products/$L" '{"status": "SoldOut"}')" | json "['status']")" SoldOut
MENU=$(curl -s "$API/products")
expect "Americano on the menu" "$(json "['products']" <<<"$MENU" | grep -c "$A")" 1
expect "Latte not on the menu" "$(json "['products']" <<<"$MENU" | grep -c "$L" || true)" 0

echo "== 3. order"
R=$(KEY="latte-$RUN" call "$CUSTOMER" POST /orders '{"items": [{"productId": "'"$L"'", "quantity": 1}]}')
expect "ordering a sold-out Latte" "$(status "$R")" 422
R=$(KEY="americano-$RUN" call "$CUSTOMER" POST /orders '{"items": [{"productId": "'"$A"'", "quantity": 2}]}')
expect "ordering 2 Americanos" "$(status "$R")" 201
expect "amount" "$(body "$R" | json "['amount']")" 9000
O=$(body "$R" | json "['orderId']")

echo "== 4. waiting number, notification, points"
sleep 1
R=$(call "$CUSTOMER" GET "/orders/$O")
expect "order status" "$(body "$R" | json "['status']")" Waiting
NUMBER=$(body "$R" | json "['waitingNumber']")
echo "   waiting number $NUMBER"
expect "points" "$(body "$(call "$CUSTOMER" GET "/customers/$C_PATH")" | json "['points']")" 1900
curl -s "$CTL/_devstack/sns-messages?topic=NotificationsTopic" | grep -q "Your waiting number is $NUMBER" && echo "ok: notified of waiting number $NUMBER"

echo "== 5. the barista completes it"
D=$(body "$(call "$CUSTOMER" GET "/orders/$O")" | json "['deliveryId']")
expect "PATCH /deliveries" "$(status "$(call "$BARISTA" PATCH "/deliveries/$D" '{"status": "Completed"}')")" 200
sleep 1
expect "order status" "$(body "$(call "$CUSTOMER" GET "/orders/$O")" | json "['status']")" Completed
curl -s "$CTL/_devstack/sns-messages?topic=NotificationsTopic" | grep -q "Number $NUMBER is ready" && echo "ok: notified that it is ready"

echo "== 6. the owner's report"
TODAY=$(TZ=Asia/Seoul date +%F)
R=$(call "$OWNER" GET "/reports/sales?date=$TODAY")
body "$R"
expect "report has the Americanos" "$(body "$R" | json "['products']" | grep -c "$A")" 1

echo "== 7. the counter is down; orders are still taken"
curl -sf -X POST "$CTL/_devstack/functions/DeliveryOnOrderEventsFunction/event-source-mappings/disable" >/dev/null
ORDERS=()
for i in 1 2 3 4 5; do
  R=$(KEY="down-$i-$RUN" call "$CUSTOMER" POST /orders '{"items": [{"productId": "'"$A"'", "quantity": 1}]}')
  expect "order $i while the counter is down" "$(status "$R")" 201
  ORDERS+=("$(body "$R" | json "['orderId']")")
done
curl -sf -X POST "$CTL/_devstack/functions/DeliveryOnOrderEventsFunction/event-source-mappings/enable" >/dev/null
sleep 2
NUMBERS=$(for o in "${ORDERS[@]}"; do body "$(call "$CUSTOMER" GET "/orders/$o")" | json "['waitingNumber']"; done)
echo "   waiting numbers: $(echo $NUMBERS)"
expect "every order has a number, none twice" "$(sort -u <<<"$NUMBERS" | grep -c .)" 5

echo "== without a token: 401; a customer reading the report: 403"
expect "no token" "$(curl -s -o /dev/null -w '%{http_code}' "$API/orders/$O")" 401
expect "wrong role" "$(status "$(call "$CUSTOMER" GET "/reports/sales?date=$TODAY")")" 403
echo "scenario passed"
