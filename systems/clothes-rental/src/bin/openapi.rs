//! Writes Clothes rental's OpenAPI document to `systems/clothes-rental/openapi.json` (or prints
//! it with `--stdout`), generated from the code: run it after changing a route or a body.

fn main() -> std::io::Result<()> {
    let text = clothes_rental::openapi::text();
    if std::env::args().any(|a| a == "--stdout") {
        print!("{text}");
        return Ok(());
    }
    let path = clothes_rental::openapi::path();
    std::fs::write(&path, text)?;
    println!("wrote {}", path.display());
    Ok(())
}
