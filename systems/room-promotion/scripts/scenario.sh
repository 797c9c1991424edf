#!/usr/bin/env bash
# The spec scenario, steps 1-7, over HTTP with curl against a running local stack
# (`cargo run -p devstack -- up systems/room-promotion --fresh` from the repository root). Needs
# curl and python3. Customers' token subjects are opaque (`auth0|...`). Each step prints what it
# checks and how long the effect took; the script stops at the first surprise. Step 6 uses the
# local stack's fault endpoint to make payment slow; step 7 its switch of a consumer's event
# source mappings to stop and restart the promotion consumer.
set -euo pipefail
API=${API:-http://127.0.0.1:3000}
CTL=${CTL:-http://127.0.0.1:3001}

json() { python3 -c "import sys, json; d = json.load(sys.stdin); print(d$1)"; }
expect() { [[ "$2" == "$3" ]] || { echo "FAILED: $1: expected $3, got $2" >&2; exit 1; }; echo "ok: $1 = $2"; }
token() { curl -sf -X POST "$CTL/_devstack/tokens" -H 'content-type: application/json' -d "$1" | json "['token']"; }
call() { # call TOKEN METHOD PATH [BODY] -> prints "STATUS" then "BODY"
  local out; out=$(curl -s -w '\n%{http_code}' -X "$2" "$API$3" ${1:+-H "authorization: Bearer $1"} \
    -H 'content-type: application/json' ${4:+-d "$4"})
  echo "$out" | tail -n1; echo "$out" | sed '$d'
}
status() { head -n1 <<<"$1"; }
body() { sed 1d <<<"$1"; }
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
day() { python3 -c "import datetime, zoneinfo; print(datetime.datetime.now(zoneinfo.ZoneInfo('Asia/Seoul')).date() + datetime.timedelta(days=$1))"; }
# until_ok DESCRIPTION COMMAND...: runs COMMAND every 50 ms until it succeeds (60 s at most).
until_ok() {
  local what=$1; shift; local start; start=$(now_ms)
  for _ in $(seq 1 1200); do
    if "$@" >/dev/null 2>&1; then echo "ok: $what after $(( $(now_ms) - start )) ms"; return 0; fi
    sleep 0.05
  done
  echo "FAILED: $what (60 s)" >&2; exit 1
}
reserve() { call "$1" POST /reservations '{"roomId": "'"$2"'", "checkIn": "'"$(day "$3")"'", "nights": '"$4"'}'; }
reservation_is() { [[ "$(body "$(call "$1" GET "/reservations/$2")" | json "['status']")" == "$3" ]]; }
balance_is() { [[ "$(body "$(call "$1" GET "/mypage?customerId=$2")" | json "['pointBalance']")" == "$3" ]]; }
room_known() { [[ "$(status "$(reserve "$1" "$2" 400 1)")" == 201 ]]; }
fault() { curl -sf -X PUT "$CTL/_devstack/functions/PayFunction/fault" -H 'content-type: application/json' -d "$1" >/dev/null; }

MANAGER=$(token '{"sub": "auth0|room-team", "groups": ["manager"]}')
RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:12])')
A="auth0%7Cscenario-a-$RUN"
TA=$(token '{"sub": "auth0|scenario-a-'"$RUN"'", "claims": {"name": "Kim"}}')

echo "== 1. the manager adds Standard 101 (50000) and Twin 201 (45000)"
R=$(call "$MANAGER" POST /rooms '{"name": "Standard 101 '"$RUN"'", "pricePerNight": 50000}')
expect "POST /rooms Standard 101" "$(status "$R")" 201
STANDARD=$(body "$R" | json "['roomId']")
R=$(call "$MANAGER" POST /rooms '{"name": "Twin 201 '"$RUN"'", "pricePerNight": 45000}')
expect "POST /rooms Twin 201" "$(status "$R")" 201
TWIN=$(body "$R" | json "['roomId']")
# GET /rooms pages (limit, nextToken): read every page and count the two rooms.
listed() {
  local next="" count=0 page
  while :; do
    page=$(body "$(call "" GET "/rooms?limit=100${next:+&nextToken=$next}")")
    count=$(( count + $(python3 -c "import sys, json; print(sum(1 for r in json.load(sys.stdin)['rooms'] if r['roomId'] in ('$STANDARD', '$TWIN')))" <<<"$page") ))
    next=$(json "['nextToken'] or ''" <<<"$page")
    [[ -n "$next" ]] || break
  done
  echo "$count"
}
expect "GET /rooms lists both" "$(listed)" 2

echo "== 2. customer A reserves (reservation knows rooms by event)"
until_ok "reservation knows Standard 101" room_known "$TA" "$STANDARD"
until_ok "reservation knows Twin 201" room_known "$TA" "$TWIN"
R=$(reserve "$TA" "$STANDARD" 7 2); expect "Standard 101, D+7, 2 nights" "$(status "$R")" 201
expect "amount" "$(body "$R" | json "['amount']")" 100000
R1=$(body "$R" | json "['reservationId']")
expect "Standard 101, D+8 (taken)" "$(status "$(reserve "$TA" "$STANDARD" 8 1)")" 409
R=$(reserve "$TA" "$STANDARD" 20 1); expect "Standard 101, D+20" "$(status "$R")" 201
expect "amount" "$(body "$R" | json "['amount']")" 50000
R2=$(body "$R" | json "['reservationId']")
R=$(reserve "$TA" "$TWIN" 7 1); expect "Twin 201, D+7" "$(status "$R")" 201
expect "amount" "$(body "$R" | json "['amount']")" 45000
R3=$(body "$R" | json "['reservationId']")

echo "== 3. pay all three"
for id in "$R1" "$R2" "$R3"; do
  R=$(call "$TA" POST "/reservations/$id/pay"); expect "pay $id" "$(status "$R") $(body "$R" | json "['status']")" "200 Paid"
done

echo "== 4. promotions, Confirmed, my page 19500"
for id in "$R1" "$R2" "$R3"; do until_ok "$id Confirmed" reservation_is "$TA" "$id" Confirmed; done
expect "100000: service" "$(body "$(call "$TA" GET "/reservations/$R1")" | json "['promotion']['service']")" "DISCOUNT COUPON"
expect "50000: service" "$(body "$(call "$TA" GET "/reservations/$R2")" | json "['promotion']['service']")" "BEVERAGE"
expect "45000: points" "$(body "$(call "$TA" GET "/reservations/$R3")" | json "['promotion']['points']")" 4500
until_ok "pointBalance 19500" balance_is "$TA" "$A" 19500
# announced(CUSTOMER EVENT_TYPE): how many messages of that type the notifications topic carried for CUSTOMER.
announced() {
  curl -sf "$CTL/_devstack/sns-messages?topic=NotificationsTopic" | python3 -c "
import sys, json
def value(v): return v if isinstance(v, str) else (v.get('Value') or v.get('StringValue')) if isinstance(v, dict) else v
print(sum(1 for m in json.load(sys.stdin)
          if value(m['attributes'].get('customerId')) == sys.argv[1] and value(m['attributes'].get('eventType')) == sys.argv[2]))" "$1" "$2"
}
announced_is() { [[ "$(announced "$1" "$2")" == "$3" ]]; }
until_ok "each promotion announced on the notifications topic" announced_is "auth0|scenario-a-$RUN" PromotionGranted 3
expect "announced once each" "$(announced "auth0|scenario-a-$RUN" PromotionGranted)" 3

echo "== 5. cancel the 100000 reservation: refund, revoke, 9500"
R=$(call "$TA" POST "/reservations/$R1/cancel"); expect "cancel" "$(status "$R") $(body "$R" | json "['status']")" "200 Cancelled"
until_ok "pointBalance 9500" balance_is "$TA" "$A" 9500
line() { body "$(call "$TA" GET "/mypage?customerId=$A")" | python3 -c "
import sys, json
d = json.load(sys.stdin)
r = [l for l in d['reservations'] if l['reservationId'] == '$R1'][0]
p = [l for l in d['promotions'] if l['reservationId'] == '$R1'][0]
print(r['status'], 'refunded' if r['refunded'] else 'charged', p['status'])"; }
refunded_and_revoked() { [[ "$(line)" == "Cancelled refunded Revoked" ]]; }
until_ok "its payment refunded (PaymentCancelled) and its promotion Revoked" refunded_and_revoked
expect "GET /reservations: Cancelled" "$(body "$(call "$TA" GET "/reservations/$R1")" | json "['status']")" Cancelled
expect "Standard 101 bookable again for D+7" "$(status "$(reserve "$TA" "$STANDARD" 7 2)")" 201

echo "== 6. payment slowed above the 610 ms timeout: 503, the breaker opens, the slow payment reconciles"
B="auth0|scenario-b-$RUN"; TB=$(token '{"sub": "'"$B"'"}')
IDS=()
for n in 30 31 32 33 34 35; do
  R=$(reserve "$TB" "$TWIN" $n 1); expect "Twin 201 D+$n" "$(status "$R")" 201; IDS+=("$(body "$R" | json "['reservationId']")")
done
fault '{"delayMs": 700, "fail": false}'
for id in "${IDS[@]:0:5}"; do
  start=$(now_ms); S=$(status "$(call "$TB" POST "/reservations/$id/pay")")
  expect "slow pay $id ($(( $(now_ms) - start )) ms)" "$S" 503
done
start=$(now_ms)
HEADERS=$(mktemp)
S=$(curl -s -o /dev/null -D "$HEADERS" -w '%{http_code}' -X POST "$API/reservations/${IDS[5]}/pay" -H "authorization: Bearer $TB")
RETRY=$(tr -d '\r' <"$HEADERS" | awk -F': ' 'tolower($1) == "retry-after" {print $2}'); rm -f "$HEADERS"
expect "breaker open: 503 with Retry-After: ${RETRY:-none} at once ($(( $(now_ms) - start )) ms)" "$S ${RETRY:+retry-after}" "503 retry-after"
for id in "${IDS[@]:0:5}"; do until_ok "$id Confirmed by PaymentApproved" reservation_is "$TB" "$id" Confirmed; done
BQ="auth0%7Cscenario-b-$RUN"
one_each() { [[ "$(body "$(call "$TB" GET "/mypage?customerId=$BQ")" | python3 -c "
import sys, json
d = json.load(sys.stdin)
print(len(d['promotions']), sorted(set((p['service'], p['points']) for p in d['promotions'])), d['pointBalance'])")" == "5 [(None, 4500)] 22500" ]]; }
until_ok "one promotion per slow payment (no service, 4500 points each)" one_each
FIRST=$(body "$(call "$TB" GET "/reservations/${IDS[0]}")" | json "['paymentId']")
fault '{"delayMs": 0, "fail": false}'
paid_again() { [[ "$(status "$(call "$TB" POST "/reservations/${IDS[5]}/pay")")" == 200 ]]; }
until_ok "200 again after the cool-down" paid_again
R=$(call "$TB" POST "/reservations/${IDS[0]}/pay")
expect "paying a reconciled one again: 200, the same paymentId" "$(status "$R") $(body "$R" | json "['paymentId']")" "200 $FIRST"

echo "== 7. the promotion consumer stopped: payments still approved; back: one promotion each"
consumer() { curl -sf -X POST "$CTL/_devstack/functions/PromotionOnPaymentEventsFunction/event-source-mappings/$1" >/dev/null; }
C="auth0|scenario-c-$RUN"; CQ="auth0%7Cscenario-c-$RUN"; TC=$(token '{"sub": "'"$C"'"}')
consumer disable
trap 'consumer enable || true' EXIT
IDS=()
for n in 60 61 62; do
  R=$(reserve "$TC" "$TWIN" $n 1); expect "Twin 201 D+$n" "$(status "$R")" 201; IDS+=("$(body "$R" | json "['reservationId']")")
done
for id in "${IDS[@]}"; do
  R=$(call "$TC" POST "/reservations/$id/pay"); expect "pay $id (promotion stopped)" "$(status "$R") $(body "$R" | json "['status']")" "200 Paid"
done
page_is() { [[ "$(body "$(call "$TC" GET "/mypage?customerId=$CQ")" | python3 -c "import sys, json; d = json.load(sys.stdin); print(sorted(r['status'] for r in d['reservations']), len(d['promotions']), d['pointBalance'])")" == "$1" ]]; }
until_ok "my page: three Paid, no promotion while stopped" page_is "['Paid', 'Paid', 'Paid'] 0 0"
for id in "${IDS[@]}"; do expect "$id still Paid" "$(body "$(call "$TC" GET "/reservations/$id")" | json "['status']")" Paid; done
start=$(now_ms); consumer enable; trap - EXIT
for id in "${IDS[@]}"; do until_ok "$id Confirmed after the consumer came back" reservation_is "$TC" "$id" Confirmed; done
until_ok "my page: three Confirmed, three promotions, 13500 points" page_is "['Confirmed', 'Confirmed', 'Confirmed'] 3 13500"
echo "ok: caught up in $(( $(now_ms) - start )) ms"
granted=$(curl -sf "$CTL/_devstack/sns-messages?topic=PromotionEventsTopic" | python3 -c "
import sys, json
ids = '${IDS[*]}'.split()
count = {i: 0 for i in ids}
for m in json.load(sys.stdin):
    e = json.loads(m['message'])
    if e['type'] == 'PromotionGranted' and e['data']['reservationId'] in count:
        count[e['data']['reservationId']] += 1
print(sorted(count.values()))")
expect "PromotionGranted published once per paid reservation" "$granted" "[1, 1, 1]"

echo "scenario passed"
