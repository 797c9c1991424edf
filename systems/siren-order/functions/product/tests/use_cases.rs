//! The use cases against an in-memory fake of the ports: fast, no emulator. Each error is
//! also mapped to the status the API answers with.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::sync::Mutex;

use platform::Won;
use platform::dynamo::WriteError;
use platform::http::ApiError;
use platform::page::{Page, PageError, PageRequest};
use product::application::{
    ChangeProductError, CheckProductsError, GetProductError, change_product, check_products, get_product,
    list_products, register_product,
};
use product::domain::{
    Category, NewProduct, Price, Product, ProductChange, ProductEvent, ProductId, ProductName, ProductStatus,
};
use product::ports::{Menu, ProductBatch, ProductChanges, ProductLookup, ProductRegistry};

/// Products and the events stored with them, conditional on versions as the table is;
/// `conflicts` makes the next saves lose a race.
#[derive(Default)]
struct FakeProducts {
    products: Mutex<Vec<Product>>,
    outbox: Mutex<Vec<ProductEvent>>,
    conflicts: Mutex<usize>,
    saves: Mutex<usize>,
}

impl ProductLookup for FakeProducts {
    async fn find(&self, id: &ProductId) -> anyhow::Result<Option<Product>> {
        Ok(self.products.lock().unwrap().iter().find(|p| &p.id == id).cloned())
    }
}

impl ProductBatch for FakeProducts {
    async fn find_many(&self, ids: &[ProductId]) -> anyhow::Result<Vec<Product>> {
        Ok(self.products.lock().unwrap().iter().filter(|p| ids.contains(&p.id)).cloned().collect())
    }
}

impl Menu for FakeProducts {
    async fn on_sale(&self, page: &PageRequest) -> Result<Page<Product>, PageError> {
        let mut menu: Vec<Product> =
            self.products.lock().unwrap().iter().filter(|p| p.is_orderable()).cloned().collect();
        menu.sort_by_key(|p| p.name.as_str().to_lowercase());
        Page::of_list(menu, "menu", page)
    }
}

impl ProductRegistry for FakeProducts {
    async fn add(&self, product: &Product, events: &[ProductEvent]) -> Result<(), WriteError> {
        let mut products = self.products.lock().unwrap();
        if products.iter().any(|p| p.id == product.id) {
            return Err(WriteError::Conflict);
        }
        products.push(product.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

impl ProductChanges for FakeProducts {
    async fn save(&self, product: &Product, expected_version: u64, events: &[ProductEvent]) -> Result<(), WriteError> {
        *self.saves.lock().unwrap() += 1;
        let mut conflicts = self.conflicts.lock().unwrap();
        if *conflicts > 0 {
            *conflicts -= 1;
            return Err(WriteError::Conflict);
        }
        let mut products = self.products.lock().unwrap();
        let stored = products.iter_mut().find(|p| p.id == product.id).ok_or(WriteError::Conflict)?;
        if stored.version != expected_version {
            return Err(WriteError::Conflict);
        }
        *stored = product.clone();
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

fn new(name: &str, price: i64) -> NewProduct {
    NewProduct { name: ProductName::parse(name).unwrap(), price: Price::won(price).unwrap(), category: None }
}

fn status(err: impl Into<ApiError>) -> u16 {
    err.into().status().as_u16()
}

fn sold_out() -> ProductChange {
    ProductChange { price: None, status: Some(ProductStatus::SoldOut) }
}

#[tokio::test]
async fn registering_adds_an_on_sale_product_with_its_event() {
    let products = FakeProducts::default();
    let new = NewProduct { category: Some(Category::parse("Coffee").unwrap()), ..new("Americano", 4500) };
    let product = register_product(&products, new).await.unwrap();
    assert_eq!((product.status, product.version, product.price.amount()), (ProductStatus::OnSale, 1, Won::new(4500)));
    assert_eq!(
        *products.outbox.lock().unwrap(),
        [ProductEvent::Registered {
            product_id: product.id.clone(),
            name: ProductName::parse("Americano").unwrap(),
            price: Price::won(4500).unwrap(),
            category: Some(Category::parse("Coffee").unwrap()),
            status: ProductStatus::OnSale,
        }]
    );
    assert_eq!(get_product(&products, &product.id).await.unwrap(), product);
}

#[tokio::test]
async fn a_change_after_a_lost_race_is_decided_again_on_the_new_version() {
    let products = FakeProducts::default();
    let product = register_product(&products, new("Americano", 4500)).await.unwrap();
    *products.conflicts.lock().unwrap() = 2;
    let changed = change_product(&products, &product.id, &sold_out()).await.unwrap();
    assert_eq!((changed.status, changed.version), (ProductStatus::SoldOut, 2));
    assert_eq!(*products.saves.lock().unwrap(), 3);
    assert!(matches!(
        products.outbox.lock().unwrap().last(),
        Some(ProductEvent::Changed { status: ProductStatus::SoldOut, version: 2, .. })
    ));

    // The same change again is a no-op: no write, no event.
    let again = change_product(&products, &product.id, &sold_out()).await.unwrap();
    assert_eq!(again.version, 2);
    assert_eq!(*products.saves.lock().unwrap(), 3);
    assert_eq!(products.outbox.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_change_that_keeps_losing_is_a_conflict_and_changes_nothing() {
    let products = FakeProducts::default();
    let product = register_product(&products, new("Americano", 4500)).await.unwrap();
    *products.conflicts.lock().unwrap() = usize::MAX;
    let err = change_product(&products, &product.id, &sold_out()).await.unwrap_err();
    assert!(matches!(err, ChangeProductError::Conflict), "{err:?}");
    assert_eq!(status(err), 409);
    assert_eq!(*products.saves.lock().unwrap(), platform::retry::ATTEMPTS);
    assert_eq!(get_product(&products, &product.id).await.unwrap().version, 1);
}

#[tokio::test]
async fn unknown_products_are_not_found() {
    let products = FakeProducts::default();
    let id = ProductId::generate();
    let err = change_product(&products, &id, &sold_out()).await.unwrap_err();
    assert!(matches!(&err, ChangeProductError::NotFound(raw) if *raw == id.to_string()), "{err:?}");
    assert_eq!(status(err), 404);
    let err = get_product(&products, &id).await.unwrap_err();
    assert!(matches!(err, GetProductError::NotFound(_)));
    assert_eq!(status(err), 404);
}

#[tokio::test]
async fn the_menu_is_what_is_on_sale_by_name() {
    let products = FakeProducts::default();
    for (name, price) in [("Latte", 5000), ("americano", 4500), ("Mocha", 5500)] {
        register_product(&products, new(name, price)).await.unwrap();
    }
    let mocha = products.products.lock().unwrap()[2].id.clone();
    change_product(&products, &mocha, &sold_out()).await.unwrap();
    let menu: Vec<String> = list_products(&products, &PageRequest::first(100))
        .await
        .unwrap()
        .items
        .iter()
        .map(|p| p.name.as_str().to_owned())
        .collect();
    assert_eq!(menu, ["americano", "Latte"]);
}

#[tokio::test]
async fn a_check_answers_each_asked_id_once_in_order() {
    let products = FakeProducts::default();
    let latte = register_product(&products, new("Latte", 5000)).await.unwrap();
    let americano = register_product(&products, new("Americano", 4500)).await.unwrap();
    change_product(&products, &latte.id, &sold_out()).await.unwrap();
    let missing = ProductId::generate().to_string();
    let asked = [americano.id.to_string(), "x".to_owned(), latte.id.to_string(), missing.clone(), "x".to_owned()];
    let checked = check_products(&products, &asked).await.unwrap();
    let found: Vec<(&ProductId, bool)> = checked.found.iter().map(|p| (&p.id, p.is_orderable())).collect();
    assert_eq!(found, [(&americano.id, true), (&latte.id, false)]);
    assert_eq!(checked.unknown, ["x".to_owned(), missing]);

    assert!(matches!(check_products(&products, &[]).await, Err(CheckProductsError::InvalidCount(0))));
    let too_many = vec![americano.id.to_string(); 101];
    assert!(matches!(check_products(&products, &too_many).await, Err(CheckProductsError::InvalidCount(101))));
}
