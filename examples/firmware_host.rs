//! The host's reference for `examples/firmware`: the same model and the same ten images, printed
//! in the same format, so `.ci/firmware` can check that the microcontroller computes the same
//! numbers.
use nn::prelude::*;

#[path = "firmware/src/images.rs"]
mod images;

network! {
    /// The digits classifier, as the firmware embeds it.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "examples/models/digits.safetensors";
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
}
