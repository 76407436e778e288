//! The host's reference for `examples/firmware`: the same model and the same ten images, printed
//! in the same format, so `.ci/firmware` can check that the microcontroller computes the same
//! numbers.
use nn::prelude::*;
use nn::{Adam, BinaryCrossEntropy, Trainer};

#[path = "firmware/src/images.rs"]
mod images;

network! {
    /// The digits classifier, as the firmware embeds it.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "examples/models/digits.safetensors";
}

network! {
    /// The small network the firmware trains.
    pub struct Xor < 2 => 4 tanh => 1 sigmoid >
}

fn main() {
    let model = Digits::TRAINED;
    println!(
        "model {}: {} parameters, {} bytes",
        Digits::ARCHITECTURE,
        Digits::PARAMS,
        Digits::BYTES
    );
    for (image, label) in images::IMAGES.iter().zip(images::LABELS) {
        let p = model.forward(&SVector::from_column_slice(image));
        print!("label {label} predicted {} outputs", p.imax());
        for v in p.iter() {
            print!(" {v:.7}");
        }
        println!();
    }
    // The firmware's training, on the host.
    let mut net = Xor::new(1);
    let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
    let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::from);
    let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::from);
    let mut loss = 0.0;
    for _ in 0..200 {
        loss = trainer.step(&mut net, xs.iter().zip(&ys)).expect("finite");
    }
    print!("xor after 200 steps: loss {loss:.7} outputs");
    for x in &xs {
        print!(" {:.7}", net.forward(x)[0]);
    }
    println!();
}
