//! The my page's consumer and `GET /mypage` fed with the real samples in `events/` (edited
//! where a case needs it), against the embedded DynamoDB with the template's `MyPageTable`:
//! the sample batch builds the sample customer's page once however often it arrives, and the
//! page is read in pages (`limit`, `nextToken`) holding every line exactly once.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, Response};
use mypage::policies::MYPAGE_INBOX;
use mypage::store::DynamoMyPages;
use mypage::wiring::ReadMyPage;
use platform::inbox::for_each_event;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
/// The customer, reservation and payment of the samples.
const KIM: &str = "auth0|65a1f0c2b7e4d3a9f1c0de42";
const SAMPLE_RESERVATION: &str = "019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90";
const SAMPLE_PAYMENT: &str = "019a9a3c-7d00-7a1b-8c2d-3e4f5a6b7c8d";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn batch(text: &str) -> SqsEvent {
    serde_json::from_str(text).unwrap()
}

/// `GET /mypage` of the sample, with the query `params` (raw string and parsed map).
fn get_mypage(params: &[(&str, &str)]) -> Request {
    let mut event: Value = serde_json::from_str(&system().event_text("get-mypage.json").unwrap()).unwrap();
    let raw: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    event["rawQueryString"] = raw.join("&").into();
    event["queryStringParameters"] = params.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn answer(response: Result<Response<Body>, platform::http::ApiError>) -> (u16, Value) {
    let response = response.unwrap_or_else(platform::http::ApiError::into_response);
    (response.status().as_u16(), serde_json::from_slice(response.body().as_ref()).unwrap())
}

/// The stored page item of the sample customer (its `version` counts its changes).
fn stored(emulators: &Emulators) -> Value {
    let key = json!({ "pk": { "S": format!("MYPAGE#{KIM}") }, "sk": { "S": "MYPAGE" } });
    let item = emulators.ddb(Database::get_item, json!({ "TableName": physical_name("MyPageTable"), "Key": key }));
    item.unwrap()["Item"].clone()
}

async fn setup() -> (Emulators, DynamoMyPages) {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let pages = DynamoMyPages::new(client, physical_name("MyPageTable")).with_inbox(MYPAGE_INBOX, HOUR);
    (emulators, pages)
}

#[tokio::test]
async fn the_sample_batch_builds_the_page_once_and_get_mypage_answers_it() {
    let (emulators, pages) = setup().await;
    let deps = ReadMyPage { pages: pages.clone() };
    let (status, empty) = answer(mypage::http::get(&deps, get_mypage(&[("customerId", KIM)])).await);
    let expected =
        json!({"customerId": KIM, "reservations": [], "promotions": [], "pointBalance": 0, "nextToken": null});
    assert_eq!((status, empty), (200, expected), "no event yet: an empty page");

    let text = system().event_text("sqs-mypage-events.json").unwrap();
    let failures = for_each_event(batch(&text), |e| mypage::policies::update_page(&pages, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
    let version = stored(&emulators)["version"].clone();
    assert_eq!(version, json!({ "N": "6" }), "six events, six changes");

    let (status, page) = answer(mypage::http::get(&deps, get_mypage(&[("customerId", KIM)])).await);
    assert_eq!(status, 200, "{page}");
    let line = &page["reservations"][0];
    assert_eq!(
        (&line["reservationId"], &line["status"], &line["refunded"], &line["amount"], &line["paymentId"]),
        (&json!(SAMPLE_RESERVATION), &json!("Cancelled"), &json!(true), &json!(100000), &json!(SAMPLE_PAYMENT))
    );
    let promotion = &page["promotions"][0];
    assert_eq!(
        (&promotion["service"], &promotion["points"], &promotion["status"]),
        (&json!("DISCOUNT COUPON"), &json!(10000), &json!("Revoked"))
    );
    assert_eq!(
        (&page["pointBalance"], &page["nextToken"]),
        (&json!(0), &Value::Null),
        "a revoked promotion's points do not count"
    );

    // The same batch again, then in reverse order: every event is already done.
    let failures = for_each_event(batch(&text), |e| mypage::policies::update_page(&pages, e)).await;
    assert!(failures.batch_item_failures.is_empty());
    let mut reversed = batch(&text);
    reversed.records.reverse();
    let failures = for_each_event(reversed, |e| mypage::policies::update_page(&pages, e)).await;
    assert!(failures.batch_item_failures.is_empty());
    assert_eq!(stored(&emulators)["version"], version, "repeats wrote nothing");
    assert_eq!(answer(mypage::http::get(&deps, get_mypage(&[("customerId", KIM)])).await), (200, page));
}

#[tokio::test]
async fn the_page_reads_in_pages_every_line_once_and_bad_paging_is_a_400_naming_the_field() {
    let (_emulators, pages) = setup().await;
    let text = system().event_text("sqs-mypage-events.json").unwrap();
    let records = batch(&text).records;
    // Seven reservations placed and three promotions granted: copies of the samples' first
    // (ReservationPlaced) and third (PromotionGranted) messages with new ids.
    let mut more = batch(&text);
    more.records.clear();
    for n in 0..7_u32 {
        let mut placed = serde_json::to_string(&records[0]).unwrap();
        placed = placed.replace(SAMPLE_RESERVATION, &format!("019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8b{n:02}"));
        placed = placed
            .replace("019a9a3c-7c20-7000-8000-000000000003", &format!("019a9a3c-7c20-7000-8000-0000000001{n:02}"));
        more.records.push(serde_json::from_str(&placed).unwrap());
    }
    for n in 0..3_u32 {
        let mut granted = serde_json::to_string(&records[2]).unwrap();
        granted = granted.replace(SAMPLE_PAYMENT, &format!("019a9a3c-7d00-7a1b-8c2d-3e4f5a6b7d{n:02}"));
        granted = granted
            .replace("019a9a3c-7c20-7000-8000-000000000005", &format!("019a9a3c-7c20-7000-8000-0000000002{n:02}"));
        more.records.push(serde_json::from_str(&granted).unwrap());
    }
    let failures = for_each_event(more, |e| mypage::policies::update_page(&pages, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
    let deps = ReadMyPage { pages };
    let (_, whole) = answer(mypage::http::get(&deps, get_mypage(&[("customerId", KIM)])).await);
    assert_eq!(
        (whole["reservations"].as_array().unwrap().len(), whole["promotions"].as_array().unwrap().len()),
        (8, 3),
        "the granted copies name the sample reservation: 7 + 1"
    );
    assert_eq!((&whole["pointBalance"], &whole["nextToken"]), (&json!(30000), &Value::Null));

    let (mut reservations, mut promotions, mut token, mut pages) = (Vec::new(), Vec::new(), None::<String>, 0);
    loop {
        let mut params = vec![("customerId", KIM), ("limit", "3")];
        if let Some(token) = &token {
            params.push(("nextToken", token));
        }
        let (status, page) = answer(mypage::http::get(&deps, get_mypage(&params)).await);
        assert_eq!((status, &page["pointBalance"]), (200, &json!(30000)), "{page}");
        assert!(
            page["reservations"].as_array().unwrap().len() <= 3 && page["promotions"].as_array().unwrap().len() <= 3
        );
        reservations.extend(page["reservations"].as_array().unwrap().iter().cloned());
        promotions.extend(page["promotions"].as_array().unwrap().iter().cloned());
        pages += 1;
        assert!(pages < 20, "the pages never end");
        match &page["nextToken"] {
            Value::Null => break,
            Value::String(next) => token = Some(next.clone()),
            other => panic!("nextToken is a string or null, not {other}"),
        }
    }
    assert_eq!(pages, 3, "8 reservations by 3: three pages (the promotions end on the first)");
    assert_eq!(
        (Value::from(reservations), Value::from(promotions)),
        (whole["reservations"].clone(), whole["promotions"].clone())
    );

    for bad in ["0", "101", "x", ""] {
        let (status, body) = answer(mypage::http::get(&deps, get_mypage(&[("customerId", KIM), ("limit", bad)])).await);
        assert_eq!((status, &body["errors"][0]["field"]), (400, &json!("limit")), "limit={bad:?}: {body}");
    }
    let theirs =
        mypage::application::cursor_of("auth0|someone-else", &mypage::domain::Position::default()).unwrap().token();
    for bad in ["garbage", "e30", theirs.as_str()] {
        let (status, body) =
            answer(mypage::http::get(&deps, get_mypage(&[("customerId", KIM), ("nextToken", bad)])).await);
        assert_eq!((status, &body["errors"][0]["field"]), (400, &json!("nextToken")), "nextToken={bad:?}: {body}");
    }
    let (status, body) = answer(mypage::http::get(&deps, get_mypage(&[("limit", "0")])).await);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!((status, fields), (400, vec!["customerId", "limit"]), "both named: {body}");
    let (status, _) = answer(mypage::http::get(&deps, get_mypage(&[("customerId", "auth0|someone-else")])).await);
    assert_eq!(status, 403, "another customer's page");
}
