//! Fisher's iris: a stratified 80/20 split, standardised inputs, `4 => 16 relu => 3 softmax`
//! trained with Adam; prints the test accuracy.
//!
//! ```text
//! cargo run --release --example iris
//! ```
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Fit, Trainer};
use nn_examples::iris;

network! {
    /// Tells three kinds of iris apart from four measurements (cm).
    pub struct Iris < 4 => 16 relu => 3 softmax >
}

fn main() -> Result<(), nn::Error> {
    let (mut train, mut test) = iris().stratified_split(0.2, 0);
    train.standardize(&mut [&mut test]);
    let mut net = Iris::new(0);
    println!("{}\n", net.summary());
    let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);
    let fit = Fit {
        epochs: 100,
        batch_size: 16,
        ..Fit::default()
    };
    let history = trainer.fit(&mut net, (&train.x, &train.y), None, &fit)?;
    let last = history.train.last().copied().unwrap_or_default();
    println!(
        "training accuracy {:.1}% after {} epochs",
        last.accuracy * 100.0,
        history.train.len()
    );
    let test_metrics = nn::evaluate(&net, (&test.x, &test.y), CrossEntropy);
    println!(
        "test accuracy {:.1}% on {} flowers",
        test_metrics.accuracy * 100.0,
        test.x.len()
    );
    Ok(())
}
