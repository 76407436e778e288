//! The digits model that `examples/digits.rs` saved, embedded at compile time, is the very
//! model that loading the file at run time gives, and it classifies the digits well.
use nn::prelude::*;

network! {
    struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "examples/models/digits.safetensors";
}

#[test]
fn the_embedded_const_and_the_loaded_file_are_identical() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/models/digits.safetensors"
    );
    let loaded: Digits = nn::load(path).expect("the model the digits example saved");
    assert_eq!(loaded, Digits::TRAINED);
    let table = nn::data::Table::read_csv("examples/data/digits.csv", "digit").expect("digits");
    let (xs, _) = table.data::<f32, 64, 10>().expect("64 pixels, 10 digits");
    for x in &xs {
        assert_eq!(loaded.forward(x), Digits::TRAINED.forward(x));
    }
    let right = xs
        .iter()
        .zip(&table.labels)
        .filter(|(x, &l)| Digits::TRAINED.forward(x).imax() == l);
    let accuracy = right.count() as f64 / xs.len() as f64;
    assert!(
        accuracy > 0.97,
        "accuracy on all 1797 digits (most seen in training): {accuracy}"
    );
}
