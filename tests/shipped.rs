//! The shipped models are what their documented commands make in this state of the code:
//! `examples/models/digits.safetensors` is `cargo run --release --example digits -- --out
//! examples/models` (see `examples/models/PROVENANCE.md`), and this test trains it again the
//! same way (the same split, seed, optimizer and early stopping as `examples/digits.rs`) and
//! compares the bytes. Training is deterministic (the same code adds the same numbers in the
//! same order, in a debug build as in a release one), so any difference means the code's
//! numbers changed: make the models again with the commands.
use nn::data::{Scaler, Table};
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Fit, Trainer};

network! { struct Digits < 64 => 32 relu => 10 softmax > }

#[test]
fn the_shipped_digits_model_is_what_the_digits_example_makes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/digits.csv");
    let table = Table::read_csv(path, "digit").unwrap();
    let seed = 0;
    let (train, _test) = table.split(0.2, seed).unwrap();
    let (train, validation) = train.split(0.1, seed).unwrap();
    let scaler = Scaler::fit(&train).unwrap();
    let (x, y) = scaler.apply(&train).data().unwrap();
    let (validation_x, validation_y) = scaler.apply(&validation).data().unwrap();
    let mut net = Digits::new(seed);
    let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);
    let fit = Fit {
        epochs: 60,
        batch_size: 32,
        seed,
        patience: Some(15),
        quiet: true,
        ..Fit::default()
    };
    let validation = Some((&validation_x[..], &validation_y[..]));
    trainer.fit(&mut net, (&x, &y), validation, &fit).unwrap();
    scaler.fold_into(&mut net).unwrap();
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/models/digits.safetensors"
    );
    let shipped = std::fs::read(shipped).unwrap();
    assert!(
        nn::to_bytes(&net).unwrap() == shipped,
        "examples/models/digits.safetensors is not what the digits example makes now: \
         run `cargo run --release --example digits -- --out examples/models`"
    );
}
