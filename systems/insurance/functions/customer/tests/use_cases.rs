//! Customer's use cases against an in-memory fake of its port: registering once per subject
//! (409 for the second time, 422 for a future birth date; nothing written), a clashing number
//! drawn again, `CustomerRegistered` emitted once, and a customer shown to themself and the
//! insurance manager only (404 for anyone else and for an unknown number).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{Days, NaiveDate, Utc};
use customer::application::{self, GetError, RegisterCustomer, RegisterError};
use customer::domain::{Customer, CustomerEvent, CustomerNo};
use customer::ports::Customers;
use platform::dynamo::WriteError;

#[derive(Default)]
struct Memory {
    customers: Mutex<HashMap<CustomerNo, Customer>>,
    subjects: Mutex<HashMap<String, CustomerNo>>,
    outbox: Mutex<Vec<CustomerEvent>>,
    /// Registrations that clash on the number before one succeeds.
    clashes: Mutex<u32>,
}

impl Customers for Memory {
    async fn find(&self, no: &CustomerNo) -> anyhow::Result<Option<Customer>> {
        Ok(self.customers.lock().unwrap().get(no).cloned())
    }

    async fn number_of(&self, subject: &str) -> anyhow::Result<Option<CustomerNo>> {
        Ok(self.subjects.lock().unwrap().get(subject).cloned())
    }

    async fn register(&self, customer: &Customer, events: &[CustomerEvent]) -> Result<(), WriteError> {
        {
            let mut clashes = self.clashes.lock().unwrap();
            if *clashes > 0 {
                *clashes -= 1;
                return Err(WriteError::Conflict);
            }
        }
        let mut customers = self.customers.lock().unwrap();
        let mut subjects = self.subjects.lock().unwrap();
        if customers.contains_key(&customer.customer_no) || subjects.contains_key(&customer.subject) {
            return Err(WriteError::Conflict);
        }
        customers.insert(customer.customer_no.clone(), customer.clone());
        subjects.insert(customer.subject.clone(), customer.customer_no.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

const SUBJECT: &str = "auth0|65b2e1d3c8f5e4b0a2d1ef53";

fn command(subject: &str, birth_date: NaiveDate) -> RegisterCustomer {
    RegisterCustomer { subject: subject.into(), name: "양건우".into(), birth_date, phone: "010-1234-5678".into() }
}

fn born() -> NaiveDate {
    NaiveDate::from_ymd_opt(1985, 3, 15).unwrap()
}

#[tokio::test]
async fn registering_gives_a_nine_digit_number_and_says_customer_registered_once() {
    let memory = Memory::default();
    let customer = application::register(&memory, &command(SUBJECT, born())).await.unwrap();
    assert_eq!(CustomerNo::parse(customer.customer_no.as_str()).as_ref(), Ok(&customer.customer_no));
    assert_eq!(
        (customer.name.as_str(), customer.birth_date, customer.phone.as_str(), customer.subject.as_str()),
        ("양건우", born(), "010-1234-5678", SUBJECT)
    );
    assert_eq!(memory.find(&customer.customer_no).await.unwrap(), Some(customer.clone()));
    assert_eq!(*memory.outbox.lock().unwrap(), [CustomerEvent::Registered(customer.clone())]);

    let again = application::register(&memory, &command(SUBJECT, born())).await;
    assert!(
        matches!(&again, Err(RegisterError::AlreadyRegistered(no)) if *no == customer.customer_no),
        "409 naming the first number: {again:?}"
    );
    assert_eq!(memory.customers.lock().unwrap().len(), 1, "nothing written");
    assert_eq!(memory.outbox.lock().unwrap().len(), 1, "no second CustomerRegistered");

    let other = application::register(&memory, &command("auth0|other", born())).await.unwrap();
    assert_ne!(other.customer_no, customer.customer_no);
    assert_eq!(memory.outbox.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_future_birth_date_is_refused_and_today_is_not() {
    let memory = Memory::default();
    let seoul_today = contracts::seoul_date(Utc::now());
    let after_tomorrow = seoul_today.checked_add_days(Days::new(2)).unwrap();
    let refused = application::register(&memory, &command(SUBJECT, after_tomorrow)).await;
    assert!(matches!(&refused, Err(RegisterError::BornInTheFuture(b)) if b.0 == after_tomorrow), "422: {refused:?}");
    assert!(memory.customers.lock().unwrap().is_empty() && memory.outbox.lock().unwrap().is_empty());

    let yesterday = seoul_today.checked_sub_days(Days::new(1)).unwrap();
    let newborn = application::register(&memory, &command(SUBJECT, yesterday)).await.unwrap();
    assert_eq!(newborn.birth_date, yesterday);
}

#[tokio::test]
async fn a_clashing_number_is_drawn_again_and_one_that_keeps_clashing_registers_nothing() {
    let memory = Memory::default();
    *memory.clashes.lock().unwrap() = 2;
    let customer = application::register(&memory, &command(SUBJECT, born())).await.unwrap();
    assert_eq!(*memory.clashes.lock().unwrap(), 0, "drawn twice more");
    assert_eq!(memory.outbox.lock().unwrap().len(), 1);
    assert!(memory.find(&customer.customer_no).await.unwrap().is_some());

    *memory.clashes.lock().unwrap() = u32::try_from(platform::retry::ATTEMPTS).unwrap();
    let contended = application::register(&memory, &command("auth0|other", born())).await;
    assert!(matches!(contended, Err(RegisterError::Contended)), "{contended:?}");
    assert_eq!(memory.customers.lock().unwrap().len(), 1, "nothing written");
    assert_eq!(memory.outbox.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_customer_is_shown_to_themself_and_the_manager_and_404_to_anyone_else() {
    let memory = Memory::default();
    let customer = application::register(&memory, &command(SUBJECT, born())).await.unwrap();
    let no = customer.customer_no.clone();
    assert_eq!(application::get(&memory, &no, SUBJECT, false).await.unwrap(), customer);
    assert_eq!(application::get(&memory, &no, "auth0|desk", true).await.unwrap(), customer);
    let another = application::get(&memory, &no, "auth0|other", false).await;
    assert!(matches!(&another, Err(GetError::NotFound(n)) if *n == no), "{another:?}");

    let unknown = if no.as_str() == "999999999" { "999999998" } else { "999999999" };
    let unknown = CustomerNo::parse(unknown).unwrap();
    assert!(matches!(application::get(&memory, &unknown, SUBJECT, false).await, Err(GetError::NotFound(_))));
    assert!(matches!(application::get(&memory, &unknown, "auth0|desk", true).await, Err(GetError::NotFound(_))));
}
