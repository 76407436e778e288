//! The digits model that `examples/digits.rs` saved, embedded at compile time, is the very
//! model that loading the file at run time gives, and it classifies the digits well.
use nn::prelude::*;
use nn_examples::digits;

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
    let data = digits();
    for x in &data.x {
        assert_eq!(loaded.forward(x), Digits::TRAINED.forward(x));
    }
    let right = data
        .x
        .iter()
        .zip(&data.labels)
        .filter(|(x, &l)| Digits::TRAINED.forward(x).imax() == l);
    let accuracy = right.count() as f64 / data.x.len() as f64;
    assert!(
        accuracy > 0.97,
        "accuracy on all 1797 digits (most seen in training): {accuracy}"
    );
}
