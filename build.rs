// `sqlx::migrate!()` embeds migrations/ when the library compiles: compile again when one is
// added, even if no Rust file changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
