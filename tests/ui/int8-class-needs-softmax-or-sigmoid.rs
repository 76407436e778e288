// The class of an int8 network's outputs in integers needs an output activation that keeps
// their order with a known threshold: softmax or sigmoid.
use nn::prelude::*;

network! { struct Regression < 2 => 4 relu => 1 linear > }

fn main() {
    let samples = [SVector::from([0.0, 1.0])];
    let int8 = nn::quantize(&Regression::new(0), &samples).unwrap();
    let _ = int8.class(&[0]);
}
