//! Room's handlers fed with the real samples in `events/` (edited where a case needs it),
//! against the embedded DynamoDB with the template's `RoomTable`: what each answers and what
//! it wrote (the room, its outbox events), and `GET /rooms` paged with `limit` and
//! `nextToken` over more rooms than a page holds.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeMap;
use std::time::Duration;

use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, Response};
use room::store::DynamoRooms;
use room::wiring::RoomFunction;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
/// The room id in the samples.
const SAMPLE_ROOM: &str = "019a9a3c-7a00-7b1c-8d2e-3f4a5b6c7d01";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

/// Sample `file`, its text passed through `edit`.
fn edited(file: &str, edit: impl FnOnce(&mut Value)) -> Request {
    let mut event: Value = serde_json::from_str(&system().event_text(file).unwrap()).unwrap();
    edit(&mut event);
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn sample(file: &str) -> Request {
    edited(file, |_| {})
}

/// Sample `file` with the query `params` (both the raw string and the parsed map).
fn with_query(file: &str, params: &[(&str, &str)]) -> Request {
    edited(file, |event| {
        let raw: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        event["rawQueryString"] = raw.join("&").into();
        event["queryStringParameters"] = params.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    })
}

fn answer(response: Result<Response<Body>, platform::http::ApiError>) -> (u16, Value) {
    let response = response.unwrap_or_else(platform::http::ApiError::into_response);
    (response.status().as_u16(), serde_json::from_slice(response.body().as_ref()).unwrap())
}

fn fields(body: &Value) -> Vec<&str> {
    body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect()
}

/// The table's items by kind: rooms, and the outbox's event types (sorted).
fn written(emulators: &Emulators) -> (usize, Vec<String>) {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("RoomTable") })).unwrap();
    let items = page["Items"].as_array().unwrap();
    let rooms = items.iter().filter(|i| i["kind"]["S"] == "Room").count();
    let mut events: Vec<String> = items
        .iter()
        .filter(|i| i["kind"]["S"] == "OutboxEvent")
        .map(|i| i["eventType"]["S"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    (rooms, events)
}

async fn setup() -> (Emulators, RoomFunction<DynamoRooms>) {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    (emulators, RoomFunction { rooms: DynamoRooms::new(client, physical_name("RoomTable"), HOUR) })
}

#[tokio::test]
async fn the_samples_register_change_and_list_a_room_and_the_invalid_one_writes_nothing() {
    let (emulators, deps) = setup().await;
    let (status, body) = answer(room::http::register(&deps, sample("register-room-invalid.json")).await);
    assert_eq!((status, fields(&body)), (400, vec!["name", "pricePerNight"]), "{body}");
    assert_eq!(written(&emulators), (0, vec![]), "nothing written");

    let (status, room) = answer(room::http::register(&deps, sample("register-room.json")).await);
    assert_eq!(status, 201, "{room}");
    assert_eq!(
        (&room["name"], &room["pricePerNight"], &room["status"]),
        (&json!("Standard 101"), &json!(50000), &json!("Available"))
    );
    assert_eq!(written(&emulators), (1, vec!["RoomRegistered".to_owned()]));

    let (status, body) = answer(room::http::change(&deps, sample("change-room.json")).await);
    assert_eq!(status, 404, "the sample's room is not this table's: {body}");
    let id = room["roomId"].as_str().unwrap().to_owned();
    let (status, closed) = answer(
        room::http::change(&deps, edited("change-room.json", |e| e["pathParameters"]["roomId"] = json!(id))).await,
    );
    assert_eq!(
        (status, &closed["status"], &closed["pricePerNight"]),
        (200, &json!("Closed"), &json!(50000)),
        "{closed}"
    );
    let (status, again) = answer(
        room::http::change(&deps, edited("change-room.json", |e| e["pathParameters"]["roomId"] = json!(id))).await,
    );
    assert_eq!((status, again), (200, closed), "closing a closed room changes nothing");
    assert_eq!(written(&emulators), (1, vec!["RoomChanged".to_owned(), "RoomRegistered".to_owned()]));

    let (status, list) = answer(room::http::list(&deps, sample("list-rooms.json")).await);
    assert_eq!((status, list), (200, json!({ "rooms": [], "nextToken": null })), "a closed room is not listed");
    assert_ne!(SAMPLE_ROOM, id);
}

/// Reads `GET /rooms` page by page with `limit`; the room ids in order and the page count.
async fn every_page(deps: &RoomFunction<DynamoRooms>, limit: &str) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut token) = (Vec::new(), 0, None::<String>);
    loop {
        let mut params = vec![("limit", limit)];
        if let Some(token) = &token {
            params.push(("nextToken", token.as_str()));
        }
        let (status, page) = answer(room::http::list(deps, with_query("list-rooms.json", &params)).await);
        assert_eq!(status, 200, "{page}");
        let rooms = page["rooms"].as_array().unwrap();
        assert!(rooms.len() <= limit.parse().unwrap(), "{page}");
        ids.extend(rooms.iter().map(|r| r["roomId"].as_str().unwrap().to_owned()));
        pages += 1;
        assert!(pages < 50, "the pages never end");
        match &page["nextToken"] {
            Value::Null => return (ids, pages),
            Value::String(next) => token = Some(next.clone()),
            other => panic!("nextToken is a string or null, not {other}"),
        }
    }
}

#[tokio::test]
async fn the_rooms_page_by_name_every_bookable_room_once_and_bad_paging_is_a_400_naming_the_field() {
    let (emulators, deps) = setup().await;
    let mut by_name = BTreeMap::new();
    for n in [7, 3, 5, 1, 6, 2, 4] {
        let name = format!("Room {n:02}");
        let register = edited("register-room.json", |e| {
            e["body"] = json!({"name": name, "pricePerNight": 40000 + n}).to_string().into()
        });
        let (status, room) = answer(room::http::register(&deps, register).await);
        assert_eq!(status, 201, "{room}");
        by_name.insert(name, room["roomId"].as_str().unwrap().to_owned());
    }
    let closed = by_name.remove("Room 04").unwrap();
    let close = edited("change-room.json", |e| e["pathParameters"]["roomId"] = json!(closed));
    assert_eq!(answer(room::http::change(&deps, close).await).0, 200);
    let expected: Vec<String> = by_name.values().cloned().collect();

    let (status, all) = answer(room::http::list(&deps, sample("list-rooms.json")).await);
    let names: Vec<&str> = all["rooms"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        (status, names, &all["nextToken"]),
        (200, vec!["Room 01", "Room 02", "Room 03", "Room 05", "Room 06", "Room 07"], &Value::Null)
    );

    let (ids, pages) = every_page(&deps, "2").await;
    assert_eq!((ids, pages), (expected.clone(), 3), "6 rooms by 2: three pages, the last exactly full and last");
    let (ids, pages) = every_page(&deps, "4").await;
    assert_eq!((ids, pages), (expected.clone(), 2));
    let (ids, pages) = every_page(&deps, "100").await;
    assert_eq!((ids, pages), (expected, 1));

    for bad in ["0", "101", "abc", "-1", "2.5", ""] {
        let (status, body) = answer(room::http::list(&deps, with_query("list-rooms.json", &[("limit", bad)])).await);
        assert_eq!((status, fields(&body)), (400, vec!["limit"]), "limit={bad:?}: {body}");
    }
    for bad in ["garbage", "e30", "eyJwayI6MX0"] {
        let (status, body) =
            answer(room::http::list(&deps, with_query("list-rooms.json", &[("nextToken", bad)])).await);
        assert_eq!((status, fields(&body)), (400, vec!["nextToken"]), "nextToken={bad:?}: {body}");
    }
    // A well-formed token of another list (the closed rooms) is refused, not read.
    let other = platform::page::Cursor::of_key(
        [("pk", "ROOM#x"), ("sk", "ROOM"), ("gsi1pk", "ROOMS#Closed"), ("gsi1sk", "Room 04#x")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), aws_sdk_dynamodb::types::AttributeValue::S(v.to_owned())))
            .collect(),
    )
    .unwrap()
    .token();
    let (status, body) = answer(room::http::list(&deps, with_query("list-rooms.json", &[("nextToken", &other)])).await);
    assert_eq!((status, fields(&body)), (400, vec!["nextToken"]), "{body}");
    assert_eq!(written(&emulators).0, 7, "listing wrote nothing");
}
