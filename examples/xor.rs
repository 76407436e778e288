//! Declares the XOR network, prints its summary, trains it and prints its outputs for the four
//! inputs. (`2 => 8 tanh => 1 sigmoid` learns XOR from nearly every seed; with 4 relu units, a
//! seed whose units start dead cannot.)
use nn::prelude::*;
use nn::{Adam, BinaryCrossEntropy, Fit, Trainer};

network! {
    /// Learns exclusive or.
    pub struct Xor < 2 => 8 tanh => 1 sigmoid >
}

fn main() -> Result<(), nn::Error> {
    let xs: Vec<SVector<f32, 2>> = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]]
        .map(Into::into)
        .into();
    let ys: Vec<SVector<f32, 1>> = [[0.], [1.], [1.], [0.]].map(Into::into).into();
    let mut net = Xor::new(0);
    println!("{}\n", net.summary());
    let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
    let fit = Fit {
        epochs: 500,
        batch_size: 4,
        ..Fit::default()
    };
    let history = trainer.fit(&mut net, (&xs, &ys), None, &fit)?;
    let last = history.train.last().copied().unwrap_or_default();
    println!(
        "after {} epochs: loss {:.4}, accuracy {:.0}%",
        history.train.len(),
        last.loss,
        last.accuracy * 100.0
    );
    for x in &xs {
        println!("{:?} -> {:.4}", [x[0], x[1]], net.forward(x)[0]);
    }
    Ok(())
}
