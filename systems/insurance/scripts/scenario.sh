#!/usr/bin/env bash
# The spec scenario, steps 1-9, over HTTP with curl against a running local stack
# (`cargo run -p devstack -- up systems/insurance --fresh` from the repository root). Needs curl and
# python3. Tokens are minted by the stack; customers' subjects are opaque (`auth0|...`). Each step
# prints what it checks and how long the effect took; the script stops at the first surprise.
# Step 8 uses the stack's fault endpoint to make product slow; step 9 its consumer switch.
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
# until_ok DESCRIPTION COMMAND...: runs COMMAND every 50 ms until it succeeds (60 s at most).
until_ok() {
  local what=$1; shift; local start; start=$(now_ms)
  for _ in $(seq 1 1200); do
    if "$@" >/dev/null 2>&1; then echo "ok: $what after $(( $(now_ms) - start )) ms"; return 0; fi
    sleep 0.05
  done
  echo "FAILED: $what (60 s)" >&2; exit 1
}
design() { echo '{"customerNo": "'"$1"'", "productCode": "'"$PRODUCT"'", "sumInsured": '"$2"', "insurancePeriodYears": 20, "paymentPeriodYears": 20, "paymentCycle": "Monthly"}'; }
quote_status_is() { [[ "$(status "$(call "$1" POST /plans/quote "$(design "$2" 50000000)")")" == "$3" ]]; }
plan_is() { [[ "$(body "$(call "$1" GET "/plans/$2")" | json "['status']")" == "$3" ]]; }
row_is() { call "$1" GET "/mypages?customerNo=$2" | sed 1d | python3 -c "
import sys, json
rows = [r for r in json.load(sys.stdin)['rows'] if r['planNo'] == '$3']
sys.exit(0 if rows and rows[0]['$4'] == '$5' else 1)"; }
row_absent() { call "$1" GET "/mypages?customerNo=$2" | sed 1d | python3 -c "
import sys, json; sys.exit(1 if any(r['planNo'] == '$3' for r in json.load(sys.stdin)['rows']) else 0)"; }
messages() { call "$1" GET "/msgs?customerNo=$2" | sed 1d | python3 -c "
import sys, json; print(','.join(sorted(m['kind'] for m in json.load(sys.stdin)['messages'] if m['planNo'] == '$3')))"; }
messages_are() { [[ "$(messages "$1" "$2" "$3")" == "$4" ]]; }
# apply TOKEN PLAN: POST /proposals until 201 (proposal learns the issued description by event);
# prints the proposal number.
apply() {
  for _ in $(seq 1 1200); do
    local r; r=$(call "$1" POST /proposals '{"planNo": "'"$2"'"}')
    if [[ "$(status "$r")" == 201 ]]; then body "$r" | json "['proposalNo']"; return 0; fi
    sleep 0.05
  done
  echo "FAILED: POST /proposals for $2 (60 s)" >&2; exit 1
}
fault() { curl -sf -X PUT "$CTL/_devstack/functions/QuoteFunction/fault" -H 'content-type: application/json' -d "$1" >/dev/null; }
consumer() { curl -sf -X POST "$CTL/_devstack/functions/MyPageOnEventsFunction/event-source-mappings/$1" >/dev/null; }
ACCOUNT='{"bankCode": "088", "accountNo": "110123456789", "accountHolder": "양건우"}'

RUN=$(python3 -c 'import uuid; print(uuid.uuid4().hex[:8])')
PRODUCT="P$(python3 -c 'import random; print(random.randrange(10**7, 10**8))')"
MANAGER=$(token '{"sub": "auth0|product-team", "groups": ["productManager"]}')
TY=$(token '{"sub": "auth0|scenario-yang-'"$RUN"'"}')
TO=$(token '{"sub": "auth0|scenario-old-'"$RUN"'"}')

echo "== 1. the product manager registers $PRODUCT (무)재해사망보장: ages 15-60, limit 100000000, 1600 per million"
R=$(call "$MANAGER" POST /products '{"productCode": "'"$PRODUCT"'", "productName": "(무)재해사망보장", "minEntryAge": 15, "maxEntryAge": 60, "maxSumInsured": 100000000, "premiumPerMillion": 1600}')
expect "POST /products" "$(status "$R") $(body "$R" | json "['status']")" "201 OnSale"

echo "== 2. 양건우, born 1985-03-15, registers"
R=$(call "$TY" POST /customers '{"name": "양건우", "birthDate": "1985-03-15", "phone": "010-1234-5678"}')
expect "POST /customers" "$(status "$R")" 201
YANG=$(body "$R" | json "['customerNo']")
expect "a 9-digit customerNo" "$(python3 -c "print(len('$YANG') == 9 and '$YANG'.isdigit())")" True
OLD_BIRTH="$(( $(date +%Y) - 70 ))-01-01"
R=$(call "$TO" POST /customers '{"name": "노인", "birthDate": "'"$OLD_BIRTH"'", "phone": "010-1234-5678"}')
OLD=$(body "$R" | json "['customerNo']")

echo "== 3. quotes (plan learns customers by event), 20 years paid over 20, monthly"
until_ok "plan knows 양건우" quote_status_is "$TY" "$YANG" 200
until_ok "plan knows the customer born in $OLD_BIRTH" quote_status_is "$TO" "$OLD" 422
R=$(call "$TY" POST /plans/quote "$(design "$YANG" 200000000)")
expect "200000000: 422" "$(status "$R")" 422
expect "names the limit" "$(body "$R" | python3 -c "import sys; print('limit amount' in sys.stdin.read())")" True
R=$(call "$TY" POST /plans/quote "$(design "$YANG" 50000000)")
expect "50000000: monthlyPremium" "$(status "$R") $(body "$R" | json "['monthlyPremium']")" "200 80000"
R=$(call "$TO" POST /plans/quote "$(design "$OLD" 50000000)")
expect "born 70 years ago: names the entry age" "$(status "$R") $(body "$R" | python3 -c "import sys; print('entry age' in sys.stdin.read())")" "422 True"

echo "== 4. the plan; my page shows 가입설계"
R=$(call "$TY" POST /plans "$(design "$YANG" 50000000)")
expect "POST /plans" "$(status "$R") $(body "$R" | json "['status']") $(body "$R" | json "['monthlyPremium']")" "201 Designed 80000"
PLAN=$(body "$R" | json "['planNo']")
until_ok "my page shows 가입설계" row_is "$TY" "$YANG" "$PLAN" progress 가입설계

echo "== 5. no proposal before the description; the description, its AlimTalk message, the my page"
expect "POST /proposals before the description" "$(status "$(call "$TY" POST /proposals '{"planNo": "'"$PLAN"'"}')")" 409
R=$(call "$TY" POST "/plans/$PLAN/description")
expect "POST /plans/{planNo}/description" "$(status "$R") $(body "$R" | json "['status']")" "202 DescriptionRequested"
until_ok "the plan is DescriptionIssued" plan_is "$TY" "$PLAN" DescriptionIssued
until_ok "exactly one message" messages_are "$TY" "$YANG" "$PLAN" ProductDescriptionIssued
until_ok "my page shows 상품설명서생성완료" row_is "$TY" "$YANG" "$PLAN" progress 상품설명서생성완료

echo "== 6. apply and pay the first premium"
start=$(now_ms); PROPOSAL=$(apply "$TY" "$PLAN"); echo "ok: POST /proposals 201 after $(( $(now_ms) - start )) ms"
expect "firstPremium" "$(body "$(call "$TY" GET "/proposals/$PROPOSAL")" | json "['firstPremium']")" 80000
R=$(call "$TY" POST "/proposals/$PROPOSAL/payment" "$ACCOUNT")
expect "pay" "$(status "$R") $(body "$R" | json "['status']") $(body "$R" | json "['amount']")" "200 Contracted 80000"
until_ok "my page shows Contracted" row_is "$TY" "$YANG" "$PLAN" status Contracted
expect "paidAmount" "$(body "$(call "$TY" GET "/mypages?customerNo=$YANG")" | python3 -c "
import sys, json; print([r for r in json.load(sys.stdin)['rows'] if r['planNo'] == '$PLAN'][0]['paidAmount'])")" 80000

echo "== 7. withdraw: the payment is cancelled; one message per step, none twice"
R=$(call "$TY" POST "/proposals/$PROPOSAL/withdraw")
expect "withdraw" "$(status "$R") $(body "$R" | json "['status']")" "200 Withdrawn"
until_ok "my page shows the payment Cancelled" row_is "$TY" "$YANG" "$PLAN" paymentStatus Cancelled
until_ok "my page shows Withdrawn" row_is "$TY" "$YANG" "$PLAN" status Withdrawn
until_ok "one message per step" messages_are "$TY" "$YANG" "$PLAN" \
  ContractConcluded,PayCancelled,ProductDescriptionIssued,ProposalSubmitted,ProposalWithdrawn

echo "== 8. product slowed above the timeout (610 ms): 503, the breaker opens, product back"
fault '{"delayMs": 700, "fail": false}'
trap 'fault "{\"delayMs\": 0, \"fail\": false}" || true' EXIT
for n in 1 2 3 4 5; do
  start=$(now_ms); R=$(call "$TY" POST /plans/quote "$(design "$YANG" 50000000)")
  expect "slow quote $n: 503 in $(( $(now_ms) - start )) ms" "$(status "$R")" 503
done
start=$(now_ms); R=$(call "$TY" POST /plans/quote "$(design "$YANG" 50000000)")
expect "breaker open: 503 in $(( $(now_ms) - start )) ms" "$(status "$R")" 503
fault '{"delayMs": 0, "fail": false}'; trap - EXIT
until_ok "200 again once the breaker lets a probe through" quote_status_is "$TY" "$YANG" 200
expect "monthlyPremium" "$(body "$(call "$TY" POST /plans/quote "$(design "$YANG" 50000000)")" | json "['monthlyPremium']")" 80000

echo "== 9. the my page consumer stopped: everything accepted but not shown; back: one row, Contracted"
consumer disable
trap 'consumer enable || true' EXIT
R=$(call "$TY" POST /plans "$(design "$YANG" 50000000)"); expect "POST /plans" "$(status "$R")" 201
PLAN2=$(body "$R" | json "['planNo']")
expect "description" "$(status "$(call "$TY" POST "/plans/$PLAN2/description")")" 202
until_ok "the plan is DescriptionIssued" plan_is "$TY" "$PLAN2" DescriptionIssued
PROPOSAL2=$(apply "$TY" "$PLAN2"); echo "ok: proposal $PROPOSAL2 accepted"
expect "pay while stopped" "$(status "$(call "$TY" POST "/proposals/$PROPOSAL2/payment" "$ACCOUNT")")" 200
row_absent "$TY" "$YANG" "$PLAN2" && echo "ok: my page does not show the new plan while stopped" \
  || { echo "FAILED: my page shows the plan while its consumer is stopped" >&2; exit 1; }
consumer enable; trap - EXIT
until_ok "caught up: Contracted" row_is "$TY" "$YANG" "$PLAN2" status Contracted
expect "one row for the plan" "$(body "$(call "$TY" GET "/mypages?customerNo=$YANG")" | python3 -c "
import sys, json; print(sum(1 for r in json.load(sys.stdin)['rows'] if r['planNo'] == '$PLAN2'))")" 1
echo "scenario passed"
